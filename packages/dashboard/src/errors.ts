/** Every failure the dashboard reports, as a closed set of codes. */
export const DASHBOARD_ERROR_CODES = {
  /** The experiment folder does not exist or is not a folder. */
  NOT_FOUND: 'NOT_FOUND',
  /** The folder holds neither `events.jsonl` nor `metrics.json`: not an experiment folder. */
  NO_EXPERIMENT_DATA: 'NO_EXPERIMENT_DATA',
  /** A line of `events.jsonl` or the `metrics.json` file is not what the researcher writes; the message names file and line. */
  BAD_FILE: 'BAD_FILE',
  /** The HTTP server could not listen (port taken, bad host). */
  LISTEN_FAILED: 'LISTEN_FAILED',
} as const;

/** One of {@link DASHBOARD_ERROR_CODES}. */
export type DashboardErrorCode = keyof typeof DASHBOARD_ERROR_CODES;

/** The one error class of `@fedbiomed/dashboard`; `code` says what went wrong, `message` names what is at fault. */
export class DashboardError extends Error {
  override readonly name = 'DashboardError';
  readonly code: DashboardErrorCode;

  constructor(code: DashboardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
