import { createSeededRng } from '@fedbiomed/strategy';
import { addNoise, laplaceNoise, noiseScale } from './noise';

describe('analytics noise', () => {
  it('calibrates Laplace to the L1 sensitivity and Gaussian to the L2 sensitivity', () => {
    expect(noiseScale({ mechanism: 'laplace', epsilon: 0.5 }, { l1: 3, l2: 2 })).toBe(6);
    expect(noiseScale({ mechanism: 'gaussian', epsilon: 0.5, delta: 1e-5 }, { l1: 3, l2: 2 })).toBeCloseTo((2 * Math.sqrt(2 * Math.log(1.25 / 1e-5))) / 0.5, 12);
  });

  it('draws Laplace(0, b) noise: mean 0, mean absolute value b, variance 2b²', () => {
    const rng = createSeededRng(7);
    const b = 3;
    const draws = Array.from({ length: 40_000 }, () => laplaceNoise(rng, b));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const meanAbs = draws.reduce((s, x) => s + Math.abs(x), 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(meanAbs / b).toBeCloseTo(1, 1);
    expect(variance / (2 * b * b)).toBeGreaterThan(0.95);
    expect(variance / (2 * b * b)).toBeLessThan(1.05);
  });

  it('adds Gaussian noise of standard deviation sigma to each value', () => {
    const rng = createSeededRng(11);
    const sigma = 2.5;
    const noisy = addNoise(new Array(40_000).fill(10), { mechanism: 'gaussian', epsilon: 1, delta: 1e-6 }, sigma, rng);
    const mean = noisy.reduce((s, x) => s + x, 0) / noisy.length;
    const std = Math.sqrt(noisy.reduce((s, x) => s + (x - mean) ** 2, 0) / noisy.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(std / sigma).toBeGreaterThan(0.97);
    expect(std / sigma).toBeLessThan(1.03);
  });
});
