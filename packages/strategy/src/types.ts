import type { ParameterLayout } from './parameters';

/** A node's training reply, in the round's layout. */
export interface FitResult {
  readonly nodeId: string;
  /**
   * Number of samples the node processed this round (batches × batch size, summed over local
   * updates); a non-negative integer below 2⁵³. Weights the mean with `weighting: 'processed'`.
   */
  readonly sampleCount: number;
  /**
   * Rows in the node's train split (its registered dataset less the held-out test rows); weights
   * the mean with `weighting: 'dataset_size'`, the default, as Fed-BioMed and FLamby do. The
   * researcher fills it after checking it against the size the node reported at search time.
   * A reply without it (a caller outside the researcher) is weighted by `sampleCount` instead.
   */
  readonly datasetSize?: number;
  /** The node's full local weights (not a delta), flat in the round's layout. */
  readonly weights: Float32Array;
  /** Strategy-specific arrays sent back by the node (e.g. `scaffold.node_control`). */
  readonly aux?: Readonly<Record<string, Float32Array>>;
  /** Training metrics reported by the node (loss, accuracy, ...). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** A node that was asked to train (or evaluate) and did not reply usefully. */
export interface FitFailure {
  readonly nodeId: string;
  readonly reason: string;
}

/** A node's evaluation reply. */
export interface EvaluateResult {
  readonly nodeId: string;
  readonly sampleCount: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** A scalar handed to a node in its training config. */
export type ConfigValue = number | string | boolean;

/** What one node receives for a round. A node absent from `configureFit`'s answer sits the round out. */
export interface FitInstruction {
  readonly nodeId: string;
  /** Scalars for the node's training loop (e.g. `fedproxMu`, `dp.clippingNorm`). */
  readonly config: Readonly<Record<string, ConfigValue>>;
  /**
   * Arrays in the round's layout (e.g. SCAFFOLD's `scaffold.server_control`). They may be shared
   * between instructions and with the strategy's own state: read them, never write to them.
   */
  readonly aux: Readonly<Record<string, Float32Array>>;
}

/** The global model a round starts from. */
export interface GlobalModel {
  readonly layout: ParameterLayout;
  /**
   * Flat weights in `layout`. The strategy keeps a reference until the round's `aggregateFit`
   * settles: do not write to it meanwhile.
   */
  readonly weights: Float32Array;
}

/** Replies to aggregate, as a list or as a stream that yields each reply when it arrives. */
export type FitReplies = Iterable<FitResult> | AsyncIterable<FitResult>;

/** A reply that failed validation and was dropped (policy `onInvalidReply: 'drop'`). */
export interface DroppedReply {
  readonly nodeId: string;
  /** The validation error, naming the tensor at fault. */
  readonly error: Error;
}

/** What `aggregateFit` produces. */
export interface FitAggregate {
  /**
   * The new global weights in the round's layout. May be a view on a larger buffer (the
   * accumulator is narrowed in place to save memory): use `byteOffset`/`byteLength`, not `buffer`.
   */
  readonly weights: Float32Array;
  /** Sample-weighted average of each metric the accepted replies reported. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Nodes whose replies went into the aggregate, in arrival order. */
  readonly acceptedNodes: readonly string[];
  /** Replies dropped by validation. */
  readonly droppedReplies: readonly DroppedReply[];
}

/** What `aggregateEvaluate` produces. */
export interface EvaluateAggregate {
  /** Sample-weighted average per metric, over the nodes that reported that metric. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Total samples behind the averages. */
  readonly sampleCount: number;
}

/** Receives the warnings of dropped replies. Shaped like pino's and the console's `warn`. */
export interface StrategyLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

/** A value that `JSON.stringify` round-trips. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A strategy's state across rounds: JSON, with `Float32Array` leaves for tensors (control variates,
 * moments). Breakpoints keep those leaves as raw bytes beside the JSON, bit-exact and at their own
 * size (a SCAFFOLD state of 100 nodes × 1.7M parameters is 0.7 GB: as base64 inside one JSON
 * string it would pass V8's largest string). A leaf may be the strategy's own array: serialise a
 * snapshot, or copy it, before the next round.
 */
export type StateValue = null | boolean | number | string | Float32Array | StateValue[] | { [key: string]: StateValue };

/** A strategy frozen for a breakpoint: enough to rebuild it with `StrategyRegistry.restoreStrategy`. */
export interface StrategySnapshot {
  /** The strategy's stable `static strategyName`. */
  readonly strategyName: string;
  /** The validated config it was created with. */
  readonly config: JsonValue;
  /** Its state across rounds (moments, controls, clipping norm, ...); tensors as Float32Array. */
  readonly state: StateValue;
}

/**
 * A federated aggregation strategy: the whole contract between the round loop and the math.
 *
 * "Nothing" has a meaning at each step, as in Flower:
 * - `initialParameters` returning `null`: start from the training plan's own initial weights.
 * - a node missing from `configureFit`'s answer sits the round out.
 * - `aggregateFit` returning `null`: keep the previous global model (e.g. failures were not accepted).
 * - `aggregateEvaluate` returning `null`: no metrics this round.
 *
 * Third parties implement this interface directly (see `examples/strategy-plugin`) or extend a
 * built-in, and check themselves with `runStrategyConformance`.
 */
export interface Strategy {
  /** Stable name, equal to the class's `static strategyName`; recorded in breakpoints. */
  readonly strategyName: string;

  /** Weights to start from, or `null` to use the plan's initial weights. */
  initialParameters(layout: ParameterLayout): Float32Array | null;

  /**
   * Opens round `round` (1-based) from `model` and says which of `nodeIds` train, with what.
   * `nodeIds` are the nodes available now; strategies that keep per-node state count them as the
   * known population.
   */
  configureFit(round: number, model: GlobalModel, nodeIds: readonly string[]): FitInstruction[];

  /**
   * Aggregates the replies of round `round`. Replies may be a stream: streaming strategies fold
   * each in as it arrives, in O(P) memory whatever the number of nodes. Invalid replies are
   * dropped or fail the round according to the strategy's `onInvalidReply`.
   */
  aggregateFit(round: number, results: FitReplies, failures: readonly FitFailure[]): Promise<FitAggregate | null>;

  /** Averages evaluation metrics across nodes, weighted by sample count. */
  aggregateEvaluate(round: number, results: readonly EvaluateResult[], failures: readonly FitFailure[]): EvaluateAggregate | null;

  /** Freezes config and state for a breakpoint. */
  toJSON(): StrategySnapshot;

  /** Loads the `state` part of a snapshot taken by the same strategy. */
  loadState(state: StateValue): void;
}
