import { getRandomValues } from 'node:crypto';

/**
 * A source of randomness. Every random draw in this package goes through one, so tests pass a
 * seeded one and DP noise uses a cryptographic one by default.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  nextFloat(): number;
  /** Standard normal N(0, 1). */
  nextGaussian(): number;
}

/** Box–Muller on top of a uniform source; keeps the second draw of each pair. */
class GaussianFromUniform implements Rng {
  private spare: number | undefined;

  constructor(private readonly uniform: () => number) {}

  nextFloat(): number {
    return this.uniform();
  }

  nextGaussian(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    // 1 - u is in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

/**
 * A deterministic generator (xoshiro128**, seeded through splitmix32): the same seed gives the same
 * sequence on every platform. For tests and simulations, never for DP noise in production.
 */
export function createSeededRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const state = new Uint32Array([splitmix(), splitmix(), splitmix(), splitmix()]);
  const next = (): number => {
    const s0 = state[0]!;
    const s1 = state[1]!;
    const s2 = state[2]!;
    const s3 = state[3]!;
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
    const t = s1 << 9;
    state[2] = s2 ^ s0;
    state[3] = s3 ^ s1;
    state[1] = s1 ^ state[2]!;
    state[0] = s0 ^ state[3]!;
    state[2] = state[2]! ^ t;
    state[3] = (state[3]! << 11) | (state[3]! >>> 21);
    return result;
  };
  // 53 random bits per float, like Math.random's contract.
  return new GaussianFromUniform(() => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992);
}

/** Draws are refilled in blocks to keep the cost of a system call off the per-value path. */
const CRYPTO_BLOCK_WORDS = 1024;

/** A generator reading the operating system's CSPRNG (`crypto.getRandomValues`): the default for DP noise. */
export function createCryptoRng(): Rng {
  const words = new Uint32Array(CRYPTO_BLOCK_WORDS);
  let position = CRYPTO_BLOCK_WORDS;
  const next = (): number => {
    if (position >= CRYPTO_BLOCK_WORDS) {
      getRandomValues(words);
      position = 0;
    }
    return words[position++]!;
  };
  return new GaussianFromUniform(() => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992);
}
