import { StrategyError, StrategyErrorCode } from './errors';
import { locateFlatIndex, type ParameterLayout } from './parameters';
import type { DroppedReply, FitReplies, FitResult, StrategyLogger } from './types';

/** What to do with a reply that fails validation: drop it with a warning, or fail the round. */
export type InvalidReplyPolicy = 'drop' | 'fail';

/** What a valid reply of a round must satisfy. */
export interface ReplyExpectation {
  readonly layout: ParameterLayout;
  /** Nodes asked to train this round; `undefined` accepts any node. */
  readonly expectedNodes?: ReadonlySet<string>;
  /** Auxiliary arrays every reply must carry, each in the layout. */
  readonly requiredAux?: readonly string[];
  /**
   * Whether to scan the weights for NaN and ±Infinity (default true). A strategy that checks them
   * while aggregating (FedAvg) turns this off to save a pass over every reply.
   */
  readonly checkWeightsFinite?: boolean;
}

/** Index of the first NaN or ±Infinity in `values`, or -1. */
export function findNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // v - v is 0 for every finite v and NaN for NaN and ±Infinity.
    if (v - v !== 0) return i;
  }
  return -1;
}

/**
 * Checks one reply against the round: node expected and not seen before, sample count (and dataset
 * size, when given) a non-negative integer below 2⁵³, weights and required aux arrays of the layout's length, all finite.
 * Throws a {@link StrategyError} naming the node and the tensor. Does not record the node as seen.
 */
export function validateFitResult(reply: FitResult, expectation: ReplyExpectation, seenNodes: ReadonlySet<string> = new Set()): void {
  const { nodeId } = reply;
  const { layout } = expectation;
  if (expectation.expectedNodes !== undefined && !expectation.expectedNodes.has(nodeId)) {
    throw new StrategyError(StrategyErrorCode.UNEXPECTED_NODE, 'node was not asked to train this round', { nodeId });
  }
  if (seenNodes.has(nodeId)) {
    throw new StrategyError(StrategyErrorCode.UNEXPECTED_NODE, 'node replied twice this round', { nodeId });
  }
  if (!Number.isSafeInteger(reply.sampleCount) || reply.sampleCount < 0) {
    throw new StrategyError(StrategyErrorCode.INVALID_SAMPLE_COUNT, `sample count must be a non-negative integer below 2⁵³, got ${reply.sampleCount}`, { nodeId });
  }
  if (reply.datasetSize !== undefined && (!Number.isSafeInteger(reply.datasetSize) || reply.datasetSize < 0)) {
    throw new StrategyError(StrategyErrorCode.INVALID_SAMPLE_COUNT, `dataset size must be a non-negative integer below 2⁵³, got ${reply.datasetSize}`, { nodeId });
  }
  checkArray(reply.weights, 'weights', nodeId, layout, expectation.checkWeightsFinite ?? true);
  for (const key of expectation.requiredAux ?? []) {
    const aux = reply.aux?.[key];
    if (aux === undefined) {
      throw new StrategyError(StrategyErrorCode.MISSING_AUX, `reply lacks auxiliary array "${key}"`, { nodeId });
    }
    checkArray(aux, `aux "${key}"`, nodeId, layout, true);
  }
}

function checkArray(values: Float32Array, what: string, nodeId: string, layout: ParameterLayout, checkFinite: boolean): void {
  if (!(values instanceof Float32Array) || values.length !== layout.size) {
    const got = values instanceof Float32Array ? `${values.length} values` : 'not a Float32Array';
    throw new StrategyError(StrategyErrorCode.LAYOUT_MISMATCH, `${what}: expected ${layout.size} values in the round's layout, got ${got}`, { nodeId });
  }
  const bad = checkFinite ? findNonFinite(values) : -1;
  if (bad >= 0) {
    const { tensor, index } = locateFlatIndex(layout, bad);
    throw new StrategyError(StrategyErrorCode.NON_FINITE, `${what} hold ${values[bad]} at flat index ${bad}`, { nodeId, tensor, index });
  }
}

/** Options of {@link acceptValidReplies}. */
export interface AcceptOptions extends ReplyExpectation {
  readonly onInvalidReply: InvalidReplyPolicy;
  readonly logger: StrategyLogger;
  /** Receives every dropped reply. */
  readonly dropped: DroppedReply[];
}

/**
 * Yields the valid replies of `results` in arrival order, one at a time (so a consumer folding
 * them keeps O(P) memory). An invalid reply is dropped with a warning, or rethrown, by policy.
 * Throws `EMPTY_REPLY_SET` when no valid reply is left.
 */
export async function* acceptValidReplies(results: FitReplies, options: AcceptOptions): AsyncGenerator<FitResult, void, undefined> {
  const admission = new ReplyAdmission(options);
  for await (const reply of results) if (admission.admit(reply)) yield reply;
  admission.finish();
}

/** {@link acceptValidReplies} for replies all at hand: the valid ones, in order, at once. */
export function acceptValidReplyList(results: readonly FitResult[], options: AcceptOptions): FitResult[] {
  const admission = new ReplyAdmission(options);
  const valid = results.filter((reply) => admission.admit(reply));
  admission.finish();
  return valid;
}

/** The checks and policy of one round's replies, applied one reply at a time. */
class ReplyAdmission {
  private readonly seen = new Set<string>();

  constructor(private readonly options: AcceptOptions) {}

  /** Whether `reply` is valid; an invalid one is dropped (false) or rethrown, by policy. */
  admit(reply: FitResult): boolean {
    const { options } = this;
    try {
      validateFitResult(reply, options, this.seen);
    } catch (error) {
      if (options.onInvalidReply === 'fail' || !(error instanceof StrategyError)) throw error;
      options.logger.warn(`dropping the reply of node ${JSON.stringify(reply.nodeId)}: ${error.message}`, { nodeId: reply.nodeId, code: error.code });
      options.dropped.push({ nodeId: reply.nodeId, error });
      return false;
    }
    this.seen.add(reply.nodeId);
    return true;
  }

  /** Throws `EMPTY_REPLY_SET` when no reply was admitted. */
  finish(): void {
    if (this.seen.size > 0) return;
    const { dropped } = this.options;
    const detail = dropped.length === 0 ? 'no reply to aggregate' : `all ${dropped.length} replies were invalid and dropped`;
    throw new StrategyError(StrategyErrorCode.EMPTY_REPLY_SET, detail);
  }
}
