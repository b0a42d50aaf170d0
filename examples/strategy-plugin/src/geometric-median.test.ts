import { createLayout, createStrategyRegistry, runStrategyConformance, type FitResult } from '@fedbiomed/strategy';
import { GeometricMedian, registerGeometricMedian } from './index';

// The suite every strategy runs on itself, here through the registry as an experiment would.
runStrategyConformance('example.geometric-median (registered)', () => {
  const registry = createStrategyRegistry();
  registerGeometricMedian(registry);
  return registry.createStrategy('example.geometric-median', { iterations: 5 });
});

describe('GeometricMedian', () => {
  const layout = createLayout([{ name: 'w', shape: [2] }]);
  const model = { layout, weights: new Float32Array(2) };
  const reply = (nodeId: string, w: [number, number]): FitResult => ({ nodeId, sampleCount: 1, weights: Float32Array.from(w) });

  it('stays with the honest cluster when one node sends a far outlier', async () => {
    const strategy = new GeometricMedian({ iterations: 50 });
    strategy.configureFit(1, model, ['a', 'b', 'c', 'x']);
    const out = await strategy.aggregateFit(1, [reply('a', [1, 0]), reply('b', [0, 1]), reply('c', [1, 1]), reply('x', [1e4, 1e4])], []);
    // The mean would be near (2500, 2500); the geometric median stays by the three honest points.
    expect(Math.hypot(out!.weights[0]! - 0.8, out!.weights[1]! - 0.8)).toBeLessThan(0.3);
  });

  it('validates its config by field and round-trips through the registry', () => {
    const registry = createStrategyRegistry();
    registerGeometricMedian(registry);
    expect(() => registry.createStrategy('example.geometric-median', { iterations: 0 })).toThrow(/INVALID_CONFIG.*iterations/);
    const snapshot = JSON.parse(JSON.stringify(new GeometricMedian({ smoothing: 0.01 }).toJSON()));
    expect(registry.restoreStrategy(snapshot).toJSON()).toEqual(snapshot);
  });
});
