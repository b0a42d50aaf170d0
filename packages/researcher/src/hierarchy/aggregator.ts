import type { DatasetMetadata, DatasetMetadata__Output, Request__Output, SearchRequest__Output, TrainRequest__Output } from '@fedbiomed/proto';
import { createLayout, flattenTensors, unflattenTensors } from '@fedbiomed/strategy';
import {
  asFloat32Array,
  float32Tensor,
  NodeClient,
  packTensors,
  ResearcherServer,
  TransportError,
  type HandlerResult,
  type NodeClientOptions,
  type ReceivedTensors,
  type RequestContext,
  type ResearcherServerOptions,
} from '@fedbiomed/transport';
import type { Federation, TrainOutcome } from '../federation';
import { createTransportFederation } from '../transport-federation';
import { refuseUncomposable, subtreeMean, type SubtreeWeighting } from './subtree-mean';

/** Configuration of {@link startIntermediateAggregator}. */
export interface IntermediateAggregatorOptions {
  /** How the aggregator dials the top researcher, as a node would (its `handler` is the aggregator's). */
  readonly upstream: Omit<NodeClientOptions, 'handler' | 'capabilities'>;
  /** The server its own nodes dial (enrolment tokens or mutual TLS, port, heartbeat). */
  readonly downstream: ResearcherServerOptions;
  /** Must match the top researcher's FedAvg `weighting` (default `dataset_size`, FedAvg's default). */
  readonly weighting?: SubtreeWeighting;
  /** How long a leaf may take to answer one request (default 10 minutes). */
  readonly leafTimeoutMs?: number;
}

/** A running intermediate aggregator. */
export interface IntermediateAggregator {
  /** The port its nodes dial. */
  readonly port: number;
  /** Its server, for the list of its nodes and their events. */
  readonly server: ResearcherServer;
  /** Stops the upstream session and the server. */
  stop(): Promise<void>;
}

const DEFAULT_LEAF_TIMEOUT_MS = 10 * 60_000;

/** A subtree's plan status is the first of these any of its leaves reports; approved when none does. */
const PLAN_STATUS_PRECEDENCE = ['PLAN_STATUS_REJECTED', 'PLAN_STATUS_UNKNOWN', 'PLAN_STATUS_UNSPECIFIED', 'PLAN_STATUS_PENDING'] as const;

/**
 * Starts a hierarchical-aggregation level (docs/benchmarks/scale.md, "Past one machine"): a node to
 * the researcher at `upstream.address`, a researcher to the nodes that dial `downstream`. A search is
 * answered with one dataset standing for the subtree (the leaves' matching datasets, their rows
 * summed); a train request is forwarded to those leaves and answered with their FedAvg mean and the
 * summed weight as `trainSize` (and summed `sampleCount`), so the researcher's FedAvg over
 * aggregators equals FedAvg over all leaves. A leaf that fails is reported upstream as a warning log
 * and left out; the request fails only when every leaf does. Strategies that need individual updates,
 * secure aggregation, per-node DP and compressed plans are refused with `POLICY_VIOLATION`.
 *
 * @example
 * const aggregator = await startIntermediateAggregator({
 *   upstream: { address: 'researcher.example:50051', nodeId: 'site-group-a', enrolmentToken: 'a-token' },
 *   downstream: { host: '0.0.0.0', port: 50052, enrolmentTokens: ['leaf-token'] },
 * });
 */
export async function startIntermediateAggregator(options: IntermediateAggregatorOptions): Promise<IntermediateAggregator> {
  const server = new ResearcherServer(options.downstream);
  const port = await server.start();
  const subtree = new Subtree(server, options);
  const client = new NodeClient({ ...options.upstream, capabilities: ['train', 'aggregator'], handler: (request, tensors, context) => subtree.handle(request, tensors, context) });
  try {
    await client.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    port,
    server,
    stop: async () => {
      client.stop();
      await server.stop();
    },
  };
}

/** The leaves' datasets an experiment's search matched: the ones its train requests go to. */
type LeafDatasets = ReadonlyMap<string, DatasetMetadata__Output>;

/** Answers the top researcher's requests on behalf of the leaves. */
class Subtree {
  private readonly federation: Federation;
  private readonly searches = new Map<string, LeafDatasets>();
  private readonly timeoutMs: number;

  constructor(
    private readonly server: ResearcherServer,
    private readonly options: IntermediateAggregatorOptions,
  ) {
    this.federation = createTransportFederation(server);
    this.timeoutMs = options.leafTimeoutMs ?? DEFAULT_LEAF_TIMEOUT_MS;
  }

  private get id(): string {
    return this.options.upstream.nodeId;
  }

  async handle(request: Request__Output, tensors: ReceivedTensors, context: RequestContext): Promise<HandlerResult> {
    if (request.ping) return { reply: { ping: { sentAtMs: request.ping.sentAtMs, nodeTimeMs: Date.now() } } };
    if (request.search) return this.search(request.experimentId, request.search, context);
    if (request.planStatus) return this.planStatus(request.experimentId, request.planStatus.planSha256, context);
    if (request.train) return this.train(request.experimentId, request.train, tensors, context);
    throw new TransportError('REMOTE_ERROR', `intermediate aggregator "${this.id}" answers only search, plan status and train requests`, { remoteCode: 'ERROR_CODE_MALFORMED' });
  }

  private async search(experimentId: string, search: SearchRequest__Output, context: RequestContext): Promise<HandlerResult> {
    const leaves = this.server.nodes().filter((node) => node.state === 'online').map((node) => node.id);
    const matched = new Map<string, DatasetMetadata__Output>();
    for await (const outcome of this.federation.search(leaves, search.tags, { experimentId, timeoutMs: this.timeoutMs, signal: context.signal })) {
      if (!outcome.ok) context.sendLog('LOG_LEVEL_WARNING', `leaf "${outcome.nodeId}" did not answer the search: ${outcome.code}: ${outcome.message}`);
      else if (outcome.value.datasets[0] !== undefined) matched.set(outcome.nodeId, outcome.value.datasets[0]);
    }
    this.searches.set(experimentId, matched);
    const [first] = matched.values();
    if (first === undefined) return { reply: { search: { datasets: [] } } };
    const rows = [...matched.values()].reduce((sum, dataset) => sum + Number(dataset.sampleCount), 0);
    const dataset: DatasetMetadata = {
      ...first,
      id: subtreeDatasetId(this.id),
      name: `${this.id}: ${matched.size} node(s)`,
      tags: [...search.tags],
      sampleCount: rows,
      description: `the datasets of ${[...matched.keys()].join(', ')}`,
    };
    return { reply: { search: { datasets: [dataset] } } };
  }

  /**
   * The subtree approved a plan only when every leaf its search matched did; otherwise the least
   * advanced status among them (rejected, then unknown, then pending), so the researcher waits or stops.
   */
  private async planStatus(experimentId: string, planSha256: string, context: RequestContext): Promise<HandlerResult> {
    const leaves = [...(this.searches.get(experimentId)?.keys() ?? [])];
    const statuses = new Set<string>();
    for await (const outcome of this.federation.planStatus(leaves, planSha256, { experimentId, timeoutMs: this.timeoutMs, signal: context.signal })) {
      statuses.add(outcome.ok ? outcome.value.status : 'PLAN_STATUS_UNKNOWN');
    }
    const status = leaves.length === 0 ? 'PLAN_STATUS_UNKNOWN' : (PLAN_STATUS_PRECEDENCE.find((candidate) => statuses.has(candidate)) ?? 'PLAN_STATUS_APPROVED');
    return { reply: { planStatus: { planSha256, status } } };
  }

  private async train(experimentId: string, train: TrainRequest__Output, tensors: ReceivedTensors, context: RequestContext): Promise<HandlerResult> {
    refuseUncomposable(train, this.id);
    const leaves = this.searches.get(experimentId);
    if (train.datasetId !== subtreeDatasetId(this.id) || leaves === undefined || leaves.size === 0) {
      throw new TransportError('REMOTE_ERROR', `intermediate aggregator "${this.id}": dataset "${train.datasetId}" is not the subtree a search of experiment "${experimentId}" matched`, {
        remoteCode: 'ERROR_CODE_DATASET_NOT_FOUND',
      });
    }
    const received = tensors.get(train.globalWeights?.transferId ?? '');
    if (received === undefined || train.plan === null) {
      throw new TransportError('REMOTE_ERROR', `intermediate aggregator "${this.id}": the train request carries no plan or global weights`, { remoteCode: 'ERROR_CODE_MALFORMED' });
    }
    const named = received.map((tensor) => ({ name: tensor.name, shape: tensor.shape.map(Number), values: asFloat32Array(tensor) }));
    const layout = createLayout(named);
    const global = flattenTensors(layout, named);
    const tasks = [...leaves].map(([nodeId, dataset]) => ({
      nodeId,
      datasetId: dataset.id,
      round: train.round,
      plan: train.plan as NonNullable<TrainRequest__Output['plan']>,
      layout,
      weights: global,
      aux: {},
      args: train.args ?? {},
      strategyName: train.strategyName,
    }));
    const replies: TrainOutcome[] = [];
    for await (const outcome of this.federation.train(tasks, { experimentId, timeoutMs: this.timeoutMs, signal: context.signal })) {
      if (outcome.ok) replies.push(outcome.value);
      else context.sendLog('LOG_LEVEL_WARNING', `leaf "${outcome.nodeId}" left out of round ${train.round}: ${outcome.code}: ${outcome.message}`);
    }
    const mean = subtreeMean(replies, global, this.options.weighting ?? 'dataset_size');
    if (mean.totalWeight === 0) {
      throw new TransportError('REMOTE_ERROR', `intermediate aggregator "${this.id}": none of its ${leaves.size} node(s) sent a usable reply in round ${train.round}`, {
        remoteCode: 'ERROR_CODE_TRAINING_FAILED',
      });
    }
    const payload = packTensors(unflattenTensors(layout, mean.weights).map((tensor) => float32Tensor(tensor.name, tensor.shape, tensor.values)));
    return {
      reply: {
        train: {
          datasetId: train.datasetId,
          round: train.round,
          sampleCount: mean.sampleCount,
          trainSize: mean.totalWeight,
          weights: payload.set,
          isDelta: false,
          numUpdates: mean.numUpdates,
          backend: `aggregator of ${replies.length}/${leaves.size} node(s)`,
        },
      },
      tensors: [payload],
    };
  }
}

/** The one dataset id an aggregator announces for its subtree. */
function subtreeDatasetId(aggregatorId: string): string {
  return `subtree:${aggregatorId}`;
}
