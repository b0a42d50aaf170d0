/**
 * `@fedbiomed/simulation`: runs a researcher's `Experiment` over N virtual nodes in one process (on
 * its thread or on worker threads), built from one partitioned dataset or from several, with the
 * node's real request handlers and no gRPC, folder or database unless asked.
 * @packageDocumentation
 */

export { Simulation } from './simulation';
export type { PartitionedSimulationOptions, SimulationOptions } from './simulation';
export { SimulationRunner, SIMULATION_ROUND_TIMEOUT_MS } from './simulation-runner';
export type { CentralEvaluation } from './simulation-runner';
export { WorkerSimulation } from './worker-simulation';
export type { WorkerSimulationOptions } from './worker-simulation';
export { createVirtualNodes, partitionNodes } from './virtual-nodes';
export type { PartitionNodesOptions, SimulatedNode } from './virtual-nodes';
export { WorkerChannel } from './worker-channel';
export { InProcessChannel } from './in-process-channel';
export type { InProcessChannelOptions } from './in-process-channel';
export { WireCodec } from './wire-codec';
export type { WireMessage } from './wire-codec';
export { SIMULATION_ERROR_CODES, SimulationError } from './errors';
export type { SimulationErrorCode } from './errors';
