import { ResearcherError } from './errors';

/**
 * A small seeded generator (mulberry32) whose whole state is one 32-bit integer, so a breakpoint can
 * store it and a resumed experiment draws exactly the numbers the interrupted one would have.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new ResearcherError('INVALID_OPTION', `SeededRandom: seed must be an integer, got ${seed}`);
    }
    this.#state = seed >>> 0;
  }

  /** Restores a generator saved with {@link SeededRandom.state}. */
  static fromState(state: number): SeededRandom {
    return new SeededRandom(state);
  }

  /** The generator's state; `SeededRandom.fromState(state)` continues the same sequence. */
  get state(): number {
    return this.#state;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
