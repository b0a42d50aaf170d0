import {
  Bulyan,
  DifferentialPrivacyServerSideAdaptiveClipping,
  DifferentialPrivacyServerSideFixedClipping,
  FedAdam,
  FedAvg,
  FedAvgM,
  FedMedian,
  FedProx,
  FedTrimmedAvg,
  FedYogi,
  Scaffold,
} from '@fedbiomed/strategy';
import { resolveSecureAggregation, secureWeighting } from './secure-round';

describe('which strategies run under secure aggregation', () => {
  it('accepts the rules that need only the weighted sum, with their weighting', () => {
    for (const strategy of [new FedAvg(), new FedProx({ mu: 0.1 }), new FedAvgM(), new FedAdam(), new FedYogi()]) expect(secureWeighting(strategy)).toBe('dataset_size');
    expect(secureWeighting(new FedAvg({ weighting: 'uniform' }))).toBe('uniform');
    const dp = new DifferentialPrivacyServerSideFixedClipping(new FedAdam({ weighting: 'uniform' }), { noiseMultiplier: 1, clippingNorm: 1, numSampledNodes: 3 });
    expect(secureWeighting(dp)).toBe('uniform');
  });

  it('refuses rules that need individual updates, naming them', () => {
    const refusals: [object, RegExp][] = [
      [new FedMedian(), /strategy 'fedmedian' needs the individual updates/],
      [new FedTrimmedAvg(), /strategy 'fedtrimmedavg' needs/],
      [new Bulyan(), /strategy 'bulyan' needs/],
      [new Scaffold(), /strategy 'scaffold' needs/],
      [new DifferentialPrivacyServerSideAdaptiveClipping(new FedAvg(), { noiseMultiplier: 0.1, numSampledNodes: 3 }), /strategy 'dp-server-adaptive-clipping' needs/],
      [new DifferentialPrivacyServerSideFixedClipping(new FedMedian(), { noiseMultiplier: 1, clippingNorm: 1, numSampledNodes: 3 }), /strategy 'fedmedian' inside 'dp-server-fixed-clipping' needs/],
    ];
    for (const [strategy, message] of refusals) expect(() => secureWeighting(strategy as FedAvg)).toThrow(message);
    expect(() => secureWeighting(new FedAvg({ weighting: 'processed' }))).toThrow(/weights by "processed", which a node cannot bound before training/);
  });

  it('resolves the option and the training-args flag, naming a bad value', () => {
    expect(resolveSecureAggregation(undefined, false)).toBeUndefined();
    expect(resolveSecureAggregation(undefined, true)).toEqual({ clipRange: 8 });
    expect(resolveSecureAggregation({ neighbours: 6, threshold: 4 }, false)).toEqual({ clipRange: 8, neighbours: 6, threshold: 4 });
    expect(() => resolveSecureAggregation({ clipRange: -1 }, false)).toThrow(/secureAggregation.clipRange must be a positive finite number, got -1/);
    expect(() => resolveSecureAggregation({ threshold: 1 }, false)).toThrow(/secureAggregation.threshold must be an integer ≥ 2/);
  });
});
