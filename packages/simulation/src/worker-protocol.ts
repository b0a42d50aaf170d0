import type { Tensor, TensorPayload, TransportErrorCode } from '@fedbiomed/transport';

/** What a node worker thread is started with (its `workerData`). */
export interface NodeWorkerData {
  /** Absolute path or `file:` URL of the module that builds the simulation's nodes. */
  readonly nodesModule: string;
  /** The function of that module to call: `(args) => SimulatedNode[] | Promise<SimulatedNode[]>`. */
  readonly exportName: string;
  /** Passed to it; structured-cloneable (plain data). */
  readonly args: unknown;
  readonly workerIndex: number;
  readonly workerCount: number;
  readonly stateDir?: string;
}

/** Messages to a node worker. Requests, replies, scalars and logs travel as protobuf bytes. */
export type ToNodeWorker =
  | { readonly type: 'request'; readonly seq: number; readonly nodeId: string; readonly request: Uint8Array; readonly tensors: [string, Tensor[]][]; readonly timeoutMs?: number }
  | { readonly type: 'cancel'; readonly seq: number; readonly reason: string }
  | { readonly type: 'close' };

/** Messages from a node worker. */
export type FromNodeWorker =
  | { readonly type: 'ready'; readonly nodes: WorkerNode[]; readonly backend: string }
  | { readonly type: 'startup-failed'; readonly message: string }
  | { readonly type: 'reply'; readonly seq: number; readonly reply: Uint8Array; readonly tensors: TensorPayload[] }
  | { readonly type: 'failed'; readonly seq: number; readonly code: TransportErrorCode; readonly message: string }
  | { readonly type: 'scalar'; readonly nodeId: string; readonly scalar: Uint8Array }
  | { readonly type: 'log'; readonly nodeId: string; readonly log: Uint8Array }
  | { readonly type: 'closed' };

/** A node a worker holds: its id, name and position among all the simulation's nodes. */
export interface WorkerNode {
  readonly id: string;
  readonly name: string;
  readonly index: number;
}
