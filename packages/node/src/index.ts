/**
 * `@fedbiomed/node`: a hospital's daemon. It keeps the node folder (config, SQLite registry,
 * certificates, logs), registers datasets, approves training plans, enforces the node's policy and
 * answers the researcher's requests with parameters and metrics only.
 * @packageDocumentation
 */

/**** Node folder and configuration ****/
export { DEFAULT_NODE_DIR, initNodeFolder, nodePaths, resolveNodeDir } from './node-folder';
export type { InitNodeOptions, NodePaths } from './node-folder';
export { CONFIG_ENV_OVERRIDES, CONFIG_FILE, loadNodeConfig, nodeConfigSchema, parseNodeConfig } from './config';
export type { NodeConfig, NodeConfigInput, NodePolicy, PrivacyBudget } from './config';

/**** Opening a node ****/
export { createNode, openNode } from './node';
export type { CreateNodeOptions, Node } from './node';
export { CONSOLE_LOG_FORMATS, defaultConsoleLogFormat } from './logger';
export type { ConsoleLogFormat, NodeLogger } from './logger';
export type { OperatorEvent } from './operator-log';

/**** Running: connect to the researcher and answer its requests ****/
export { startNode } from './node-runtime';
export type { RunningNode, StartNodeOptions } from './node-runtime';
export { reduceTaskState } from './task-state';
export type { RunningTask, TaskEvent, TaskState } from './task-state';

/**** Virtual nodes (simulation: in memory, no folder, no connection) ****/
export { createVirtualNode } from './virtual-node';
export type { VirtualDataset, VirtualNode, VirtualNodeOptions } from './virtual-node';
export { createMemoryNodeRepository } from './memory-repository';
export type { DatasetOpener, Dispatcher } from './dispatcher';

/**** Plug-ins (losses, metrics, layers from npm packages) ****/
export { loadNodePlugins, missingPluginMessage } from './plugins';

/**** Dataset registry ****/
export type { AddDatasetInput, DatasetInspector, DatasetRegistry, DatasetSource, InspectedDataset } from './dataset-registry';
export { tagsConflict } from './tags';
export { datasetTypes, inspectDataset, openRegisteredDataset } from './dataset-source';
export type { OpenedDataset } from './dataset-source';

/**** Plans, approval and audit ****/
export { describePlan, planLayerClasses } from './plan-registry';
export type { Decision, PlanRegistry } from './plan-registry';
export { reducePlanApproval } from './plan-approval';
export type { PlanApproval, PlanEvent } from './plan-approval';
export type { AuditEntry, AuditQuery, DatasetRecord, NodeRepository, PlanRecord, StateKey, StoredOptimizerState } from './repository';

/**** Users of the web GUI ****/
export { hashPassword, MIN_PASSWORD_LENGTH, passwordMatches, USER_ROLES } from './users';
export type { OpenedSession, UserRecord, UserRegistry, UserRole } from './users';

/**** Policy ****/
export { checkPolicy } from './policy';
export type { PolicyQuestion, PolicyRefusal } from './policy';
export { createPrivacyLedger, DEFAULT_REPORT_DELTA, describeMechanism } from './privacy-ledger';
export type { ChargeOutcome, PrivacyCharge, PrivacyLedger, PrivacyStanding } from './privacy-ledger';

/**** Database ****/
export { SCHEMA_VERSION } from './migrations';

/**** Errors ****/
export { NodeError, NodeErrorCode } from './errors';
