import type { StrategyRegistry } from '@fedbiomed/strategy';
import { GeometricMedian, GeometricMedianConfigSchema } from './geometric-median';

/**
 * Adds the geometric median to `registry` under `example.geometric-median`, so experiments can name
 * it in their config and breakpoints can restore it.
 */
export function registerGeometricMedian(registry: StrategyRegistry): void {
  registry.registerStrategy(GeometricMedian.strategyName, (config, { deps }) => new GeometricMedian(config, deps), GeometricMedianConfigSchema);
}
