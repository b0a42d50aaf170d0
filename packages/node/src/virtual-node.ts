import pino from 'pino';
import { summarizeSplit, targetOf, type Dataset, type TrainTestSplit } from '@fedbiomed/datasets';
import type { DataParallelTraining } from '@fedbiomed/training';
import { parseNodeConfig, type NodeConfigInput } from './config';
import { openNodeDatabase } from './database';
import { createDatasetRegistry } from './dataset-registry';
import { inspectDataset } from './dataset-source';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { NodeError } from './errors';
import type { NodeLogger } from './logger';
import { createMemoryNodeRepository } from './memory-repository';
import type { Node } from './node';
import { nodePaths } from './node-folder';
import { createPlanRegistry } from './plan-registry';
import { createPrivacyLedger } from './privacy-ledger';
import { createNodeRepository, type DatasetRecord, type NodeRepository } from './repository';
import { normaliseTags } from './tags';
import { createUserRegistry } from './users';

/** A dataset a virtual node holds in memory. */
export interface VirtualDataset {
  /** Tags the researcher searches by (at least one). */
  readonly tags: readonly string[];
  readonly dataset: Dataset;
  /** A split every experiment uses as is (like a registered split column); default: cut per experiment. */
  readonly split?: TrainTestSplit;
  /** Default: the tags joined with "-". */
  readonly name?: string;
  readonly description?: string;
}

/** What {@link createVirtualNode} needs. */
export interface VirtualNodeOptions {
  readonly nodeId: string;
  /** Default: the node id. */
  readonly nodeName?: string;
  readonly datasets: readonly VirtualDataset[];
  /**
   * The node's policy, as in `config.json`. Default: `requirePlanApproval: false`, since the one
   * who runs a simulation plays every operator; give `true` to exercise approval.
   */
  readonly policy?: NodeConfigInput['policy'];
  /** Default: a silent logger (a hundred nodes writing logs would cost more than they train). */
  readonly logger?: NodeLogger;
  /** Worker threads sharing each batch on wasm, as a running node's `training.threads`. */
  readonly parallel?: DataParallelTraining;
  /**
   * A SQLite file for the node's registries, as a running node's `node.db`: plans, audit, the state
   * a node keeps between rounds (error-feedback residuals), the privacy ledger. Given, a
   * simulation can stop and later go on where it stopped (with `Experiment.resume`). Default: all in
   * memory, nothing written.
   */
  readonly databasePath?: string;
}

/** A node without a folder or a connection: its registries in memory (or one SQLite file), its data given. */
export interface VirtualNode {
  readonly node: Node;
  /** The running node's request router: the same handlers (train, evaluate, search, approval, ...). */
  readonly dispatcher: Dispatcher;
}

/**
 * Builds a node that lives in this process: the node's own dispatcher and handlers (policy, plan
 * check, training limits, fixed split, `trainLocal`, audit) over an in-memory repository (or the
 * SQLite file `databasePath`), with datasets registered from memory instead of files. A simulation
 * drives many of them.
 *
 * @throws NodeError INVALID_CONFIG for a bad id, name or policy; INVALID_ARGUMENT for a dataset without
 * tags, or one that `databasePath` holds with another size or shape; INVALID_DATABASE for a file that
 * is not a node database
 */
export function createVirtualNode(options: VirtualNodeOptions): VirtualNode {
  const config = parseNodeConfig(
    { nodeId: options.nodeId, nodeName: options.nodeName ?? options.nodeId, policy: { requirePlanApproval: false, ...options.policy }, logLevel: 'silent' },
    `virtual node ${options.nodeId}`,
  );
  // The privacy ledger (DP accounting per dataset) and the users are SQLite tables: without a file, a
  // virtual node keeps them in an in-memory database, so a simulation spends ε as a real node would.
  const ledger = openNodeDatabase(options.databasePath ?? ':memory:');
  const repository = options.databasePath === undefined ? createMemoryNodeRepository() : createNodeRepository(ledger);
  const opened = new Map<string, VirtualDataset>();
  try {
    options.datasets.forEach((held, index) => {
      const record = virtualRecord(`${config.nodeId}-dataset-${index}`, held);
      registerOnce(repository, record, options.databasePath);
      opened.set(record.id, held);
    });
  } catch (error) {
    ledger.close();
    throw error;
  }
  const node: Node = {
    config,
    paths: nodePaths(`virtual-node-${config.nodeId}`),
    logger: options.logger ?? pino({ level: 'silent' }),
    repository,
    datasets: createDatasetRegistry(repository, inspectDataset),
    plans: createPlanRegistry(repository, config.policy, config.limits),
    privacy: createPrivacyLedger(ledger, config.policy),
    users: createUserRegistry(ledger, repository),
    audit: (query) => repository.listAudit(query),
    close: () => ledger.close(),
  };
  const open = async (record: DatasetRecord) => {
    const held = opened.get(record.id);
    if (held === undefined) throw new NodeError('DATASET_NOT_FOUND', `virtual node ${config.nodeId} holds no dataset ${record.id}`);
    return { dataset: held.dataset, ...(held.split !== undefined && { split: held.split }) };
  };
  return { node, dispatcher: createDispatcher(node, () => 'simulation', options.parallel, open) };
}

/**
 * Registers a virtual dataset, or finds it registered by an earlier run on the same database file; a
 * record that differs (another partition, another dataset) is refused, since the state kept with it
 * would belong to other data.
 */
function registerOnce(repository: NodeRepository, record: DatasetRecord, databasePath: string | undefined): void {
  const saved = repository.getDataset(record.id);
  if (saved === undefined) {
    repository.insertDataset(record);
    return;
  }
  const differs = (['sampleCount', 'dataType', 'numClasses'] as const).find((field) => saved[field] !== record[field]);
  if (differs !== undefined || JSON.stringify(saved.featureShape) !== JSON.stringify(record.featureShape)) {
    const field = differs ?? 'featureShape';
    throw new NodeError(
      'INVALID_ARGUMENT',
      `virtual dataset ${record.id}: ${databasePath} holds it with ${field} ${JSON.stringify(saved[field])}, given ${JSON.stringify(record[field])}; another partition needs another database`,
    );
  }
}

function virtualRecord(id: string, held: VirtualDataset): DatasetRecord {
  const tags = normaliseTags(held.tags);
  if (tags.length === 0) throw new NodeError('INVALID_ARGUMENT', `virtual dataset ${id} needs at least one tag`);
  const { metadata } = held.dataset;
  return {
    id,
    name: held.name ?? tags.join('-'),
    dataType: metadata.dataType,
    path: `memory:${id}`,
    tags,
    description: held.description ?? '',
    options: {},
    featureShape: [...metadata.featureShape],
    featureDtypes: [metadata.dtypes.features],
    sampleCount: held.dataset.size,
    numClasses: metadata.numClasses,
    target: targetOf(metadata),
    ...(held.split !== undefined && { fixedSplit: summarizeSplit(held.split) }),
    createdAt: new Date(0).toISOString(),
  };
}
