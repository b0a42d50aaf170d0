import { z } from 'zod';
import { FedAvg } from './strategies/fedavg';
import { FedAdam } from './strategies/server-optimizers';
import { createStrategyRegistry } from './registry';
import { createSeededRng } from './rng';

describe('StrategyRegistry', () => {
  it('creates every built-in by name with validated config', () => {
    const registry = createStrategyRegistry();
    expect(registry.names()).toEqual([
      'bulyan', 'dp-server-adaptive-clipping', 'dp-server-fixed-clipping', 'fedadagrad', 'fedadam', 'fedavg', 'fedavgm', 'fedmedian', 'fedprox', 'fedtrimmedavg', 'fedyogi', 'krum', 'scaffold',
    ]);
    expect(registry.createStrategy('fedadam', { eta: 0.5 })).toBeInstanceOf(FedAdam);
    expect(() => registry.createStrategy('fedadam', { eta: -1, beta2: 'x' })).toThrow(/INVALID_CONFIG: strategy "fedadam": eta: .*; beta2: .*\(field eta\)/);
    expect(() => registry.createStrategy('nope')).toThrow(/UNKNOWN_STRATEGY: no strategy named "nope"; registered: bulyan/);
    expect(() => registry.createStrategy('dp-server-fixed-clipping', { noiseMultiplier: 1, clippingNorm: 1, numSampledNodes: 2 })).toThrow(/field inner/);
  });

  it('registers third-party strategies, refuses duplicates, and restores snapshots by name', async () => {
    const registry = createStrategyRegistry();
    const schema = z.object({ scale: z.number().positive() });
    registry.registerStrategy('scaled', (config) => new FedAvg({ fractionFit: Math.min(1, config.scale) }), schema);
    expect(() => registry.registerStrategy('scaled', () => new FedAvg(), schema)).toThrow(/already registered/);
    expect(() => registry.createStrategy('scaled', { scale: 0 })).toThrow(/scale/);

    const dp = registry.createStrategy('dp-server-adaptive-clipping', { inner: { strategyName: 'fedadam', config: { eta: 0.2 } }, noiseMultiplier: 0.1, numSampledNodes: 10 }, { rng: createSeededRng(2) });
    const snapshot = JSON.parse(JSON.stringify(dp.toJSON()));
    expect(snapshot.config.inner).toEqual({ strategyName: 'fedadam', config: expect.objectContaining({ eta: 0.2 }) });
    expect(registry.restoreStrategy(snapshot).toJSON()).toEqual(snapshot);
  });
});
