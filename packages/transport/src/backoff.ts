/** Reconnection delays: exponential backoff with full jitter. */
export interface BackoffOptions {
  /** First delay bound in milliseconds (default 1000). */
  baseMs?: number;
  /** Largest delay bound in milliseconds (default 30000). */
  capMs?: number;
}

export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({ baseMs: 1_000, capMs: 30_000 });

/**
 * Delay before reconnection attempt `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)),
 * the "full jitter" of AWS's backoff study, which spreads many nodes reconnecting at once.
 *
 * @param random - uniform source in [0, 1), injectable for tests
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs, capMs } = { ...DEFAULT_BACKOFF, ...options };
  const bound = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * bound);
}
