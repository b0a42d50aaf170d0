/** Every failure `@fedbiomed/simulation` reports, as a closed set of codes. */
export const SIMULATION_ERROR_CODES = {
  /** An option of a simulation is out of range or cannot be met (the message names it). */
  INVALID_OPTION: 'INVALID_OPTION',
} as const;

/** One of {@link SIMULATION_ERROR_CODES}. */
export type SimulationErrorCode = keyof typeof SIMULATION_ERROR_CODES;

/** The one error class of `@fedbiomed/simulation`; `code` says what went wrong, `message` names what is at fault. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  readonly code: SimulationErrorCode;

  constructor(code: SimulationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
