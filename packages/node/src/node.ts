import type { NodeConfig } from './config';
import { loadNodeConfig } from './config';
import { openNodeDatabase } from './database';
import { createDatasetRegistry, type DatasetInspector, type DatasetRegistry } from './dataset-registry';
import { inspectDataset } from './dataset-source';
import { createNodeLogger, type ConsoleLogFormat, type NodeLogger } from './logger';
import { nodePaths, type NodePaths } from './node-folder';
import { createPlanRegistry, type PlanRegistry } from './plan-registry';
import { createPrivacyLedger, type PrivacyLedger } from './privacy-ledger';
import { createNodeRepository, type AuditEntry, type AuditQuery, type NodeRepository } from './repository';
import { createUserRegistry, type UserRegistry } from './users';

/** What {@link createNode} needs. */
export interface CreateNodeOptions {
  /** The node folder (database, logs, certificates). */
  readonly dir: string;
  readonly config: NodeConfig;
  /** Defaults to a pino logger writing `logs/node.log`. */
  readonly logger?: NodeLogger;
  /** Also log to standard error, in this format (the daemon does; see `defaultConsoleLogFormat`). */
  readonly consoleLog?: ConsoleLogFormat;
  /** Defaults to opening the data through `@fedbiomed/datasets`. */
  readonly inspectDataset?: DatasetInspector;
}

/** A node opened on its folder: registries, audit and configuration. Close it when done. */
export interface Node {
  readonly config: NodeConfig;
  readonly paths: NodePaths;
  readonly logger: NodeLogger;
  readonly datasets: DatasetRegistry;
  readonly plans: PlanRegistry;
  /** Users of the web GUI, their roles and sessions. */
  readonly users: UserRegistry;
  /** The storage behind the registries (per-experiment state, audit). */
  readonly repository: NodeRepository;
  /** Differential privacy spent per dataset, against the policy's budgets. */
  readonly privacy: PrivacyLedger;
  /** Audit entries, most recent first. */
  audit(query?: AuditQuery): AuditEntry[];
  /** Closes the database. */
  close(): void;
}

/**
 * Builds a node from its configuration: opens (and migrates) the database, the logger and the
 * registries. Nothing happens at import time and nothing is shared between two nodes.
 *
 * @throws NodeError INVALID_DATABASE or DATABASE_TOO_NEW
 */
export function createNode(options: CreateNodeOptions): Node {
  const paths = nodePaths(options.dir);
  const db = openNodeDatabase(paths.database);
  const repository = createNodeRepository(db);
  const logger =
    options.logger ??
    createNodeLogger({ logsDir: paths.logs, level: options.config.logLevel, ...(options.consoleLog && { console: options.consoleLog }) });
  return {
    config: options.config,
    paths,
    logger,
    repository,
    datasets: createDatasetRegistry(repository, options.inspectDataset ?? inspectDataset),
    plans: createPlanRegistry(repository, options.config.policy, options.config.limits),
    privacy: createPrivacyLedger(db, options.config.policy),
    users: createUserRegistry(db, repository),
    audit: (query) => repository.listAudit(query),
    close: () => db.close(),
  };
}

/** Opens the node folder `dir`: reads its config (with environment overrides) and calls {@link createNode}. */
export function openNode(dir: string, options: Omit<CreateNodeOptions, 'dir' | 'config'> & { env?: NodeJS.ProcessEnv } = {}): Node {
  const { env, ...rest } = options;
  return createNode({ ...rest, dir, config: loadNodeConfig(dir, env) });
}
