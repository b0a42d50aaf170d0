/**
 * The one error class of `@fedbiomed/strategy`, with a closed set of codes.
 */

/** Every way configuring, aggregating or restoring a strategy can fail. */
export const StrategyErrorCode = {
  /** A strategy option is out of range or of the wrong type; the message names the field. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** No strategy is registered under the requested name, or a name is registered twice. */
  UNKNOWN_STRATEGY: 'UNKNOWN_STRATEGY',
  /** A reply's weights (or an auxiliary array) do not have the round's length. */
  LAYOUT_MISMATCH: 'LAYOUT_MISMATCH',
  /** A reply holds NaN or ±Infinity; the message names the tensor and index. */
  NON_FINITE: 'NON_FINITE',
  /** A reply's sample count is negative, fractional or not a number. */
  INVALID_SAMPLE_COUNT: 'INVALID_SAMPLE_COUNT',
  /** A reply lacks an auxiliary array the strategy asked for (e.g. SCAFFOLD's control). */
  MISSING_AUX: 'MISSING_AUX',
  /** A reply comes from a node that was not asked to train this round, or comes twice. */
  UNEXPECTED_NODE: 'UNEXPECTED_NODE',
  /** No valid reply is left to aggregate. */
  EMPTY_REPLY_SET: 'EMPTY_REPLY_SET',
  /** The rule cannot run with this many replies (Bulyan's n ≥ 4f + 3, Krum's n > 2f + 2, ...). */
  TOO_FEW_REPLIES: 'TOO_FEW_REPLIES',
  /** Fewer nodes are available than the strategy's minimum for a round. */
  TOO_FEW_NODES: 'TOO_FEW_NODES',
  /** `aggregateFit` was called for a round that `configureFit` did not open. */
  ROUND_NOT_CONFIGURED: 'ROUND_NOT_CONFIGURED',
  /** Saved state cannot be read back (wrong strategy name, version or shape). */
  INVALID_STATE: 'INVALID_STATE',
  /** Named tensors do not agree with a layout (missing name, wrong shape). */
  INVALID_TENSORS: 'INVALID_TENSORS',
} as const;

/** One of {@link StrategyErrorCode}. */
export type StrategyErrorCode = (typeof StrategyErrorCode)[keyof typeof StrategyErrorCode];

/** What an error is about; every field present is named in the message. */
export interface StrategyErrorLocation {
  readonly nodeId?: string;
  /** Tensor name from the round's layout. */
  readonly tensor?: string;
  /** Index inside the tensor (not the flat index). */
  readonly index?: number;
  /** Configuration field, dotted (`beta1`, `inner.config.fractionFit`). */
  readonly field?: string;
}

/**
 * Thrown by every strategy and helper of this package. The message names the node, tensor, index
 * or config field at fault; the same facts are on `location` for programs.
 */
export class StrategyError extends Error {
  override readonly name = 'StrategyError';

  constructor(
    readonly code: StrategyErrorCode,
    detail: string,
    readonly location: StrategyErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}${describeLocation(location)}`, options);
  }
}

function describeLocation(location: StrategyErrorLocation): string {
  const parts: string[] = [];
  if (location.nodeId !== undefined) parts.push(`node ${JSON.stringify(location.nodeId)}`);
  if (location.tensor !== undefined) parts.push(`tensor ${JSON.stringify(location.tensor)}`);
  if (location.index !== undefined) parts.push(`index ${location.index}`);
  if (location.field !== undefined) parts.push(`field ${location.field}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
