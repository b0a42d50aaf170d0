/**
 * `@fedbiomed/simulation`: runs a researcher's `Experiment` over N virtual nodes in one process,
 * built from one partitioned dataset or from several, with the node's real request handlers and
 * no gRPC, folder or database.
 * @packageDocumentation
 */

export { Simulation, SIMULATION_ROUND_TIMEOUT_MS } from './simulation';
export type { CentralEvaluation, PartitionedSimulationOptions, SimulatedNode, SimulationOptions } from './simulation';
export { InProcessChannel } from './in-process-channel';
export type { InProcessChannelOptions } from './in-process-channel';
export { WireCodec } from './wire-codec';
export type { WireMessage } from './wire-codec';
export { SIMULATION_ERROR_CODES, SimulationError } from './errors';
export type { SimulationErrorCode } from './errors';
