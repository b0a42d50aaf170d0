// The optimised hot paths (chunked keystream folding, the branch-light quantiser, imported key
// objects) against small reference versions of the code they replaced: bit-identical on random inputs.
import { createCipheriv, randomBytes } from 'node:crypto';
import { agreeKey, generateX25519, importPrivateKey, importPublicKey } from './keys';
import type { SecAggParameters } from './parameters';
import { fixedPointScale } from './parameters';
import { addMaskFromSeed } from './prg';
import { quantizeWeighted, roundHalfUp } from './quantize';
import { combineShares, splitSecret } from './shamir';

/** The previous PRG: the whole keystream in one buffer, then a word-by-word fold. */
function referenceAddMask(into: Uint32Array, seed: Uint8Array, sign: 1 | -1): void {
  const cipher = createCipheriv('chacha20', seed, Buffer.alloc(16));
  const stream = Uint8Array.from(cipher.update(Buffer.alloc(into.length * 4)));
  cipher.final();
  const mask = new Uint32Array(stream.buffer, 0, into.length);
  for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) + sign * (mask[i] as number);
}

/** The previous quantiser: Number.isFinite, clip, Math.round, per coordinate. */
function referenceQuantize(parameters: SecAggParameters, update: Float32Array, weight: number): { words: Uint32Array; clipped: number } {
  const factor = fixedPointScale(parameters) * weight;
  const words = new Uint32Array(update.length);
  let clipped = 0;
  update.forEach((value, i) => {
    if (!Number.isFinite(value)) throw new Error(`non-finite at ${i}`);
    const bounded = Math.min(parameters.clipRange, Math.max(-parameters.clipRange, value));
    if (bounded !== value) clipped += 1;
    words[i] = Math.round(bounded * factor);
  });
  return { words, clipped };
}

function parametersOf(clipRange: number, participants: number, bound: number): SecAggParameters {
  const ids = Array.from({ length: participants }, (_, i) => `node-${String(i).padStart(3, '0')}`);
  return { sessionId: 'fast-paths-0001', participants: ids, threshold: participants, neighbours: participants - 1, clipRange, weightBounds: Object.fromEntries(ids.map((id) => [id, bound])) };
}

describe('optimised secure-aggregation hot paths', () => {
  it('fold the same ChaCha20 mask as the one-buffer reference, across chunk boundaries and both signs', () => {
    // Lengths around the 16,384-word chunk, and tiny ones.
    for (const length of [0, 1, 5, 16_383, 16_384, 16_385, 2 * 16_384 + 7, 100_003]) {
      for (const sign of [1, -1] as const) {
        const seed = new Uint8Array(randomBytes(32));
        const start = new Uint32Array(randomBytes(length * 4).buffer, 0, length);
        const fast = start.slice();
        const slow = start.slice();
        addMaskFromSeed(fast, seed, sign);
        referenceAddMask(slow, seed, sign);
        expect(Buffer.from(fast.buffer).equals(Buffer.from(slow.buffer))).toBe(true);
        if (length > 0) expect(Buffer.from(fast.buffer).equals(Buffer.from(start.buffer))).toBe(false);
      }
    }
  });

  it('quantises bit-identically to Math.round, clipping and counting the same coordinates', () => {
    for (let trial = 0; trial < 20; trial++) {
      const clipRange = [0.01, 1, 8, 1000][trial % 4] as number;
      const parameters = parametersOf(clipRange, 2 + (trial % 50), 1 + trial * 37);
      const values = new Float32Array(randomBytes(20_000 * 4).buffer).map((v) => (Number.isFinite(v) ? v : 0));
      // Scale the random floats to straddle the clip range, and add exact halves and zeros.
      const update = Float32Array.from(values, (v, i) => (i % 97 === 0 ? 0 : i % 89 === 0 ? -clipRange : (Math.tanh(v) * 2 * clipRange)));
      const weight = 1 + (trial * 13) % (1 + trial * 37);
      const fast = quantizeWeighted(parameters, update, weight);
      const slow = referenceQuantize(parameters, update, weight);
      expect(fast.clipped).toBe(slow.clipped);
      expect(fast.clipped).toBeGreaterThan(0);
      expect(Buffer.from(fast.words.buffer).equals(Buffer.from(slow.words.buffer))).toBe(true);
    }
  });

  it('rounds like Math.round at halves, near halves and at the double just below 1/2', () => {
    const justBelowHalf = 0.49999999999999994;
    const cases = [justBelowHalf, -justBelowHalf, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0, -0, 1e-300, 2 ** 30 + 0.5, -(2 ** 30) - 0.5, 2 ** 31 - 1.5, 123456.49999999999];
    for (let i = 0; i < 10_000; i++) cases.push((Math.random() - 0.5) * 2 ** 32, Math.floor((Math.random() - 0.5) * 2 ** 20) + 0.5);
    for (const x of cases) expect(roundHalfUp(x) === Math.round(x) || (roundHalfUp(x) === 0 && Math.round(x) === 0)).toBe(true);
    expect(roundHalfUp(justBelowHalf)).toBe(0);
  });

  it('still refuses NaN and ±Infinity, naming the index', () => {
    const parameters = parametersOf(1, 2, 1);
    expect(() => quantizeWeighted(parameters, Float32Array.of(0, Number.NaN), 1)).toThrow(/MALFORMED: the update holds NaN at index 1/);
    expect(() => quantizeWeighted(parameters, Float32Array.of(0, 0, Number.POSITIVE_INFINITY), 1)).toThrow(/holds Infinity at index 2/);
    expect(() => quantizeWeighted(parameters, Float32Array.of(Number.NEGATIVE_INFINITY), 1)).toThrow(/holds -Infinity at index 0/);
  });

  it('rebuilds every secret from any threshold-sized subset of shares with one inversion', () => {
    for (let trial = 0; trial < 30; trial++) {
      const holders = 3 + (trial % 12);
      const threshold = 2 + (trial % (holders - 1));
      const secret = new Uint8Array(randomBytes(32));
      const xs = Array.from({ length: holders }, (_, i) => 1 + i * (1 + (trial % 5)));
      const shares = splitSecret(secret, threshold, xs);
      const subset = [...shares].sort(() => Math.random() - 0.5).slice(0, threshold);
      expect(Buffer.from(combineShares(subset, threshold)).equals(Buffer.from(secret))).toBe(true);
    }
  });

  it('agrees the same key from imported key objects as from raw keys', () => {
    const a = generateX25519();
    const b = generateX25519();
    const raw = agreeKey(a.privateKey, b.publicKey, 'session-x-001', 'pairwise-mask');
    expect(Buffer.from(agreeKey(a.privateKeyObject, importPublicKey(b.publicKey), 'session-x-001', 'pairwise-mask')).equals(Buffer.from(raw))).toBe(true);
    expect(Buffer.from(agreeKey(importPrivateKey(b.privateKey), a.publicKey, 'session-x-001', 'pairwise-mask')).equals(Buffer.from(raw))).toBe(true);
    expect(() => importPublicKey(new Uint8Array(31))).toThrow(/public key has 32 bytes, got 31/);
  });
});
