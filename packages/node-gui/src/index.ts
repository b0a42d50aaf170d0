/**
 * `@fedbiomed/node-gui`: the node's web GUI. Operators register datasets with a preview, read and
 * decide on training plans, follow the node's status and live log, and admins manage users, all
 * through the node's own registries and audit log (`@fedbiomed/node`).
 * @packageDocumentation
 */
export { createGuiServer } from './server';
export type { GuiServerOptions } from './server';
export { DEFAULT_GUI_PORT, isLoopback, startGui } from './start-gui';
export type { RunningGui, StartGuiOptions } from './start-gui';
export { previewDataset, PREVIEW_ROWS } from './dataset-preview';
export type { ColumnPreview, DatasetPreview } from './dataset-preview';
export { planView } from './plan-view';
export type { DiffPart, LayerView, PlanDiff, PlanView } from './plan-view';
export { nodeStatus, parseLogLine, readNodeStatus } from './node-status';
export type { LogLine, NodeStatus, RoundLine, TaskInFlight } from './node-status';
export { SESSION_COOKIE } from './security';
