/**
 * The memory one gradient worker shares with the training thread, and the messages they exchange.
 * Setup goes through messages (once per round); each step goes through the shared memory and
 * `Atomics`, so a step costs no structured clone and no event-loop turn on the worker.
 */
import type { PlanSpec } from '../plan/plan-spec';

/** Int32 slots of a worker's control block. */
export const Control = {
  /** Incremented by the training thread to hand the worker a {@link Command}. */
  REQUEST: 0,
  /** Set to REQUEST's value by the worker when it has carried the command out. */
  DONE: 1,
  /** The {@link Command} of the last request. */
  COMMAND: 2,
  /** {@link StepStatus} of the last request. */
  STATUS: 3,
  /** Samples in this step's shard. */
  SAMPLES: 4,
  /** Version of the shared weights to load before the step. */
  WEIGHTS_VERSION: 5,
} as const;

/** What a request asks of the worker. */
export const Command = { STEP: 1, END_ROUND: 2 } as const;
const CONTROL_INTS = 8;

/** Outcome of a worker's step. */
export const StepStatus = { OK: 0, FAILED: 1 } as const;

/** Sizes that fix a round's shared buffers. */
export interface RoundShape {
  /** Float count of all trainable weights, in `model.trainableWeights` order. */
  readonly parameters: number;
  /** Most samples a shard may hold. */
  readonly maxShard: number;
  /** Floats per sample of features and of labels. */
  readonly featureWidth: number;
  readonly labelWidth: number;
}

/** Typed views on one worker's shared buffer: control, loss, gradients, then the shard's samples. */
export interface WorkerViews {
  readonly control: Int32Array;
  readonly loss: Float64Array;
  readonly gradients: Float32Array;
  readonly features: Float32Array;
  readonly labels: Float32Array;
}

/** Bytes of one worker's shared buffer for `shape`. */
export function workerBufferBytes(shape: RoundShape): number {
  return CONTROL_INTS * 4 + 8 + 4 * (shape.parameters + shape.maxShard * (shape.featureWidth + shape.labelWidth));
}

/** Views on a worker's buffer laid out for `shape`. */
export function workerViews(buffer: SharedArrayBuffer, shape: RoundShape): WorkerViews {
  let offset = CONTROL_INTS * 4;
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  const loss = new Float64Array(buffer, offset, 1);
  offset += 8;
  const gradients = new Float32Array(buffer, offset, shape.parameters);
  offset += 4 * shape.parameters;
  const features = new Float32Array(buffer, offset, shape.maxShard * shape.featureWidth);
  offset += 4 * shape.maxShard * shape.featureWidth;
  const labels = new Float32Array(buffer, offset, shape.maxShard * shape.labelWidth);
  return { control, loss, gradients, features, labels };
}

/** Training thread → worker: start a round (build or reuse the plan's model, attach the buffers). */
export interface RoundMessage {
  readonly type: 'round';
  readonly plan: PlanSpec;
  readonly shape: RoundShape;
  /** Shape of one sample's features and labels, as the model takes them. */
  readonly featureShape: readonly number[];
  readonly labelShape: readonly number[];
  readonly buffer: SharedArrayBuffer;
  /** The current trainable weights, shared by all workers, written by the training thread only. */
  readonly weights: SharedArrayBuffer;
}

/** Worker → training thread. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'round-ready' }
  | { readonly type: 'failed'; readonly message: string };
