import type { EncodeContext, EncodedTensor } from './codec';
import type { ResolvedCodec } from './compression-spec';

/** One round's encoding under error feedback, and the residual to carry into the next round. */
export interface FeedbackEncoding {
  readonly encoded: EncodedTensor;
  /** (update + previous residual) − decoded: what this round's encoding left out. */
  readonly residual: Float32Array;
}

/**
 * Error feedback (Seide et al. 2014; Stich et al. 2018): encodes update + residual and keeps what
 * the encoding dropped for the next round, so nothing is lost, only delayed. Over T rounds the sum
 * of the decoded updates equals the sum of the true updates minus the last residual, which stays
 * bounded. A residual of another length (a changed model) is ignored.
 */
export function encodeWithErrorFeedback(
  resolved: ResolvedCodec,
  update: Float32Array,
  shape: readonly number[],
  residual: Float32Array | undefined,
  context: EncodeContext,
): FeedbackEncoding {
  const corrected = residual !== undefined && residual.length === update.length ? update.map((value, i) => value + (residual[i] as number)) : update;
  const encoded = resolved.codec.encode(corrected, shape, resolved.params, context);
  const decoded = resolved.codec.decode(encoded);
  return { encoded, residual: corrected.map((value, i) => value - (decoded[i] as number)) };
}
