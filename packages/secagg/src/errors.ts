/** Every way a secure-aggregation step can fail, as a closed set of codes. */
export const SECAGG_ERROR_CODES = {
  /** A protocol parameter is out of range (threshold, neighbours, clip range, weights); the message names it. */
  INVALID_PARAMETERS: 'INVALID_PARAMETERS',
  /** A step was called out of order, or twice. */
  OUT_OF_ORDER: 'OUT_OF_ORDER',
  /** A message does not follow the protocol (unknown node, wrong length, duplicate). */
  MALFORMED: 'MALFORMED',
  /** An encrypted share failed authentication: it was altered, misrouted or not meant for this node. */
  DECRYPTION_FAILED: 'DECRYPTION_FAILED',
  /**
   * An honest node refuses an unmask request that would reveal too much: both kinds of share of one
   * node, a survivor set smaller than the threshold, or itself listed as dropped.
   */
  UNMASK_REFUSED: 'UNMASK_REFUSED',
  /**
   * The researcher's neighbour list for a node is not the one the round's public transcript gives
   * (see `NeighbourGraph`): the node refuses to share its secrets along it.
   */
  GRAPH_MISMATCH: 'GRAPH_MISMATCH',
  /** More nodes dropped than the threshold tolerates: the round fails and no aggregate is revealed. */
  TOO_MANY_DROPOUTS: 'TOO_MANY_DROPOUTS',
} as const;

/** One of {@link SECAGG_ERROR_CODES}. */
export type SecAggErrorCode = keyof typeof SECAGG_ERROR_CODES;

/** The one error class of `@fedbiomed/secagg`; `code` says what went wrong, `message` names what is at fault. */
export class SecAggError extends Error {
  override readonly name = 'SecAggError';

  constructor(
    readonly code: SecAggErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
