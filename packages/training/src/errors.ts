/** Closed set of reasons a training operation refuses or fails. */
export const TrainingErrorCode = {
  /** The plan's JSON is not a training plan this version understands. */
  MALFORMED_PLAN: 'MALFORMED_PLAN',
  /** The plan's SHA-256 does not match its canonical JSON. */
  HASH_MISMATCH: 'HASH_MISMATCH',
  /** The plan's kind is not one this runtime executes. */
  UNSUPPORTED_KIND: 'UNSUPPORTED_KIND',
  /** The topology names a layer or object class tfjs does not know (custom code). */
  UNKNOWN_CLASS: 'UNKNOWN_CLASS',
  /** The model's input or output shape does not fit the dataset. */
  SHAPE_MISMATCH: 'SHAPE_MISMATCH',
  /** The plan's loss or a metric reads labels of another kind than the dataset's (survival vs classes). */
  TARGET_MISMATCH: 'TARGET_MISMATCH',
  /** Weights do not match the plan's manifest (names, shapes, or digest). */
  WEIGHTS_MISMATCH: 'WEIGHTS_MISMATCH',
  /** An argument of a call is out of range or inconsistent with another. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A loss, optimiser or metric name is not supported. */
  UNSUPPORTED: 'UNSUPPORTED',
  /** An optimiser state given to resume from belongs to another optimiser or model. */
  OPTIMIZER_STATE_MISMATCH: 'OPTIMIZER_STATE_MISMATCH',
  /** Training produced a non-finite loss or weights. */
  DIVERGED: 'DIVERGED',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ABORTED',
  /** No usable tfjs backend could be initialised. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** A plug-in's definition is malformed, or clashes with what is already registered. */
  INVALID_PLUGIN: 'INVALID_PLUGIN',
  /** A plan needs a plug-in (`package@version`) this process has not loaded. */
  PLUGIN_MISSING: 'PLUGIN_MISSING',
  /** Reading or writing a saved model failed. */
  IO: 'IO',
  /** A compressed tensor's bytes do not decode (wrong length, non-finite scale, index out of range, other codec). */
  MALFORMED_COMPRESSED_TENSOR: 'MALFORMED_COMPRESSED_TENSOR',
} as const;

/** One of {@link TrainingErrorCode}'s values. */
export type TrainingErrorCode = (typeof TrainingErrorCode)[keyof typeof TrainingErrorCode];

/** The one error class of `@fedbiomed/training`; `code` is stable, `message` names the culprit. */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';

  constructor(
    readonly code: TrainingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
