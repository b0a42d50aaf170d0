import { createCryptoRng, createSeededRng } from './rng';

describe('RNG', () => {
  it('seeded: same seed same sequence, uniform in [0, 1), Gaussian with unit variance', () => {
    const a = createSeededRng(7);
    const b = createSeededRng(7);
    const xs = Array.from({ length: 20_000 }, () => a.nextFloat());
    expect(Array.from({ length: 20_000 }, () => b.nextFloat())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(createSeededRng(8).nextFloat()).not.toBe(createSeededRng(7).nextFloat());
    const g = Array.from({ length: 20_000 }, () => a.nextGaussian());
    const mean = g.reduce((s, v) => s + v, 0) / g.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(g.reduce((s, v) => s + (v - mean) ** 2, 0) / g.length).toBeCloseTo(1, 1);
  });

  it('crypto: draws differ between generators', () => {
    expect(createCryptoRng().nextFloat()).not.toBe(createCryptoRng().nextFloat());
  });
});
