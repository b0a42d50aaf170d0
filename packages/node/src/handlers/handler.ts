import type { Reply, Request__Output } from '@fedbiomed/proto';
import type { DataParallelTraining, ScalarEvent } from '@fedbiomed/training';
import type { Tensor, TensorPayload } from '@fedbiomed/transport';
import type { OpenedDataset } from '../dataset-source';
import type { Node } from '../node';
import type { DatasetRecord } from '../repository';
import type { SecAggSessions } from '../secure-aggregation-sessions';

/** A reply's body: exactly one of the contract's oneof fields. */
export type ReplyBody = Omit<Reply, 'requestId' | 'nodeId' | 'body'>;

/** What a handler answers: the reply body and the tensor sets it announces. */
export interface HandlerResult {
  readonly body: ReplyBody;
  readonly payloads?: readonly TensorPayload[];
}

/** What every handler receives. */
export interface HandlerContext {
  readonly node: Node;
  readonly request: Request__Output;
  /** Tensors that came with the request, by `transferId`. */
  readonly tensors: ReadonlyMap<string, readonly Tensor[]>;
  /** Researcher the session is open with, for the audit table. */
  readonly researcherId: string;
  /** Aborted when the researcher cancels the request. */
  readonly signal: AbortSignal;
  /** When the request arrived (ms, `performance.now()`), for the reply's queued time. */
  readonly receivedAt: number;
  /** Streams a progress value to the researcher. */
  emitScalar(event: ScalarEvent): void;
  /** Opens a registered dataset (kept open across rounds). */
  openDataset(record: DatasetRecord): Promise<OpenedDataset>;
  /** The secure-aggregation rounds this node takes part in. */
  readonly secureAggregation: SecAggSessions;
  /** Worker threads sharing each training batch (`training.threads` > 1 on wasm). */
  readonly parallel?: DataParallelTraining;
}

/** A request handler: one per request kind. */
export type Handler = (ctx: HandlerContext) => HandlerResult | Promise<HandlerResult>;

/** A reply carrying an `Error` with a contract code. */
export function errorReply(code: NonNullable<Reply['error']>['code'], message: string): HandlerResult {
  return { body: { error: { code, message } } };
}
