import { createLayout } from '../parameters';
import { createCryptoRng, createSeededRng } from '../rng';
import { FedAvg } from '../strategies/fedavg';
import type { GlobalModel } from '../types';
import { addGaussianNoise, clipByL2Norm } from './clipping';
import { computeDpEpsilon, computeRdp, logErfc } from './rdp-accountant';
import { DifferentialPrivacyServerSideAdaptiveClipping, DifferentialPrivacyServerSideFixedClipping } from './server-side';

describe('client-side helpers', () => {
  it('clipByL2Norm scales in place to the norm and reports it', () => {
    const u = Float32Array.of(3, 4);
    expect(clipByL2Norm(u, 1)).toEqual({ norm: 5, clipped: true });
    expect(Array.from(u)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    const small = Float32Array.of(0.3, 0.4);
    expect(clipByL2Norm(small, 1)).toEqual({ norm: expect.closeTo(0.5, 7), clipped: false });
    expect(Array.from(small)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    expect(() => clipByL2Norm(u, 0)).toThrow(RangeError);
  });

  it('addGaussianNoise draws N(0, std²) from the injected RNG', () => {
    const values = new Float32Array(100_000);
    addGaussianNoise(values, 2, createSeededRng(5));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.sqrt(variance)).toBeCloseTo(2, 1);
    const again = new Float32Array(100_000);
    addGaussianNoise(again, 2, createSeededRng(5));
    expect(again).toEqual(values);
    const crypto = new Float32Array(10);
    addGaussianNoise(crypto, 1, createCryptoRng());
    expect(crypto.some((v) => v !== 0)).toBe(true);
  });
});

describe('server-side wrappers', () => {
  const layout = createLayout([{ name: 'w', shape: [2] }]);
  const model: GlobalModel = { layout, weights: Float32Array.of(1, 1) };

  it('fixed clipping clips each update to C before averaging, then adds z·C/m noise', async () => {
    const dp = new DifferentialPrivacyServerSideFixedClipping(new FedAvg({ weighting: 'uniform' }), { noiseMultiplier: 0, clippingNorm: 1, numSampledNodes: 2 });
    dp.configureFit(1, model, ['a', 'b']);
    const replyA = Float32Array.of(4, 5); // update (3, 4), norm 5 → (0.6, 0.8)
    const out = await dp.aggregateFit(1, [{ nodeId: 'a', sampleCount: 1, weights: replyA }, { nodeId: 'b', sampleCount: 1, weights: Float32Array.of(1, 1.5) }], []);
    expect(out!.weights[0]).toBeCloseTo(1 + 0.3, 6);
    expect(out!.weights[1]).toBeCloseTo(1 + (0.8 + 0.5) / 2, 6);
    expect(Array.from(replyA)).toEqual([4, 5]); // the caller's array is untouched

    const noisy = new DifferentialPrivacyServerSideFixedClipping(new FedAvg(), { noiseMultiplier: 4, clippingNorm: 1, numSampledNodes: 2 }, { rng: createSeededRng(1) });
    const big: GlobalModel = { layout: createLayout([{ name: 'w', shape: [50_000] }]), weights: new Float32Array(50_000) };
    noisy.configureFit(1, big, ['a']);
    const noised = await noisy.aggregateFit(1, [{ nodeId: 'a', sampleCount: 1, weights: new Float32Array(50_000) }], []);
    const std = Math.sqrt(noised!.weights.reduce((s, v) => s + v * v, 0) / 50_000);
    expect(std).toBeCloseTo(2, 1); // z·C/m = 4·1/2
  });

  it('rejects bad arguments by field', () => {
    expect(() => new DifferentialPrivacyServerSideFixedClipping(new FedAvg(), { noiseMultiplier: 1, clippingNorm: -1, numSampledNodes: 2 })).toThrow(/clippingNorm.*field clippingNorm/);
    expect(() => new DifferentialPrivacyServerSideAdaptiveClipping(new FedAvg(), { noiseMultiplier: 2, numSampledNodes: 20 })).toThrow(/below 2·clippedCountStddev/);
  });

  it('adaptive clipping follows C ← C·exp(−η_C(b̃ − γ)) with b̃ the noised unclipped fraction', async () => {
    const dp = new DifferentialPrivacyServerSideAdaptiveClipping(new FedAvg(), {
      noiseMultiplier: 0,
      initialClippingNorm: 1,
      numSampledNodes: 4,
      targetUnclippedQuantile: 0.5,
      clipNormLearningRate: 0.2,
      clippedCountStddev: 1e-12,
    });
    dp.configureFit(1, model, ['a', 'b', 'c', 'd']);
    // update norms 0.5, 0.5, 0.5, 10 → 3 of 4 unclipped: b̃ = 0.75
    const w = (x: number) => Float32Array.of(1 + x, 1);
    await dp.aggregateFit(1, ['a', 'b', 'c'].map((nodeId) => ({ nodeId, sampleCount: 1, weights: w(0.5) })).concat([{ nodeId: 'd', sampleCount: 1, weights: w(10) }]), []);
    expect(dp.currentClippingNorm).toBeCloseTo(Math.exp(-0.2 * (0.75 - 0.5)), 9);
    const snapshot = JSON.parse(JSON.stringify(dp.toJSON()));
    expect(snapshot.state.clippingNorm).toBeCloseTo(dp.currentClippingNorm, 12);
  });
});

describe('RDP accountant', () => {
  it('computes erfc accurately, far tail included', () => {
    expect(Math.exp(logErfc(0.5))).toBeCloseTo(0.4795001221869535, 14);
    expect(Math.exp(logErfc(3)) / 2.209049699858544e-5).toBeCloseTo(1, 12);
    expect(Math.exp(logErfc(-1))).toBeCloseTo(1.8427007929497148, 14);
    expect(logErfc(30)).toBeCloseTo(-903.974117, 5);
  });

  // TensorFlow Privacy, tutorials/README.md (q = 256/60000, δ = 1e-5, steps = epochs·60000/256):
  // "noise 1.12, 60 epochs → 2.92", "1.2, 10 epochs → 1.20", epoch 1 → 1.00, epoch 2 → 1.04;
  // its root README: "compute_dp_sgd_privacy --N=60000 --batch_size=256 --noise_multiplier=1.1
  // --epochs=60 --delta=1e-5 … eps = 3.01".
  it.each([
    [1.1, 60, 3.01],
    [1.12, 60, 2.92],
    [1.2, 10, 1.2],
    [1.12, 1, 1.0],
    [1.12, 2, 1.04],
  ])('matches TF Privacy: σ = %f, %i epochs → ε = %f', (sigma, epochs, expected) => {
    const { epsilon } = computeDpEpsilon({ samplingRate: 256 / 60000, noiseMultiplier: sigma, steps: Math.ceil((epochs * 60000) / 256), delta: 1e-5 });
    expect(epsilon).toBeCloseTo(expected, 2);
  });

  it('is within 0.02 of the table row σ = 0.6, 30 epochs → 9.74, and the tighter conversion is lower', () => {
    const input = { samplingRate: 256 / 60000, noiseMultiplier: 0.6, steps: 7032, delta: 1e-5 };
    expect(Math.abs(computeDpEpsilon(input).epsilon - 9.74)).toBeLessThan(0.02);
    expect(computeDpEpsilon({ ...input, conversion: 'balle2020' }).epsilon).toBeLessThan(computeDpEpsilon(input).epsilon);
  });

  it('handles q = 1 (plain Gaussian) and q = 0 exactly', () => {
    expect(computeRdp(1, 2, 3, [2, 5])).toEqual([(3 * 2) / 8, (3 * 5) / 8]);
    expect(computeRdp(0, 2, 3, [2])).toEqual([0]);
    expect(() => computeRdp(0.1, 1, 1, [1])).toThrow(/orders must be > 1/);
  });
});
