/** Every failure the researcher SDK reports, as a closed set of codes. */
export const RESEARCHER_ERROR_CODES = {
  /** An option passed to `new Experiment(...)` or a helper is out of range or of the wrong type. */
  INVALID_OPTION: 'INVALID_OPTION',
  /** No online node holds a dataset matching the experiment's tags. */
  NO_NODES: 'NO_NODES',
  /** Fewer than `minNodes` nodes replied in time; the global model was left unchanged. */
  ROUND_FAILED: 'ROUND_FAILED',
  /** A node's reply does not fit the model (layout, length, missing tensor). */
  BAD_REPLY: 'BAD_REPLY',
  /** A breakpoint folder is missing, unreadable or from an incompatible version. */
  BREAKPOINT_INVALID: 'BREAKPOINT_INVALID',
  /** `run()` or `runOnce()` was called while a round is running, or after `rounds` completed. */
  INVALID_STATE: 'INVALID_STATE',
  /** `waitForNodes`: fewer nodes than asked for connected in time. */
  NODES_TIMEOUT: 'NODES_TIMEOUT',
  /** `ensureApproved`: fewer operators than needed approved the plan in time; the message names the nodes still pending. */
  APPROVAL_TIMEOUT: 'APPROVAL_TIMEOUT',
  /** `ensureApproved`: so many operators rejected the plan that the nodes left cannot reach `minNodes`. */
  APPROVAL_REJECTED: 'APPROVAL_REJECTED',
  /** The experiment was stopped through its AbortSignal. */
  ABORTED: 'ABORTED',
  /** Fewer than `minNodes` nodes sent the feature statistics a federated standardisation needs. */
  STANDARDIZATION_FAILED: 'STANDARDIZATION_FAILED',
  /** Fewer than `minNodes` nodes answered an analytics query (refusals by policy are listed). */
  ANALYTICS_FAILED: 'ANALYTICS_FAILED',
  /** The model cannot be exported faithfully (e.g. each node standardised with its own statistics). */
  EXPORT_REFUSED: 'EXPORT_REFUSED',
} as const;

/** One of {@link RESEARCHER_ERROR_CODES}. */
export type ResearcherErrorCode = keyof typeof RESEARCHER_ERROR_CODES;

/** The one error class of `@fedbiomed/researcher`; `code` says what went wrong, `message` names what is at fault. */
export class ResearcherError extends Error {
  override readonly name = 'ResearcherError';
  readonly code: ResearcherErrorCode;

  constructor(code: ResearcherErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
