import { parseConfig, type ConfigSchema } from './config';
import { DifferentialPrivacyServerSideAdaptiveClipping, DifferentialPrivacyServerSideFixedClipping, DpAdaptiveClippingConfigSchema, DpFixedClippingConfigSchema } from './dp/server-side';
import { StrategyError, StrategyErrorCode } from './errors';
import { FedAvg, FedAvgConfigSchema, type StrategyDeps } from './strategies/fedavg';
import { FedProx, FedProxConfigSchema } from './strategies/fedprox';
import { BulyanConfigSchema, Bulyan, FedMedian, FedMedianConfigSchema, FedTrimmedAvg, FedTrimmedAvgConfigSchema, Krum, KrumConfigSchema } from './strategies/robust';
import { Scaffold, ScaffoldConfigSchema } from './strategies/scaffold';
import { FedAdagrad, FedAdam, FedAvgM, FedAvgMConfigSchema, FedOptConfigSchema, FedYogi } from './strategies/server-optimizers';
import type { Strategy, StrategySnapshot } from './types';

/** What a factory receives besides its validated config. */
export interface StrategyFactoryContext {
  /** The registry creating it, to build wrapped strategies by name. */
  readonly registry: StrategyRegistry;
  readonly deps: StrategyDeps;
}

/** Builds a strategy from a config already validated by its schema. */
export type StrategyFactory<C> = (config: C, context: StrategyFactoryContext) => Strategy;

interface Entry {
  readonly factory: StrategyFactory<unknown>;
  readonly schema: ConfigSchema<unknown>;
}

/**
 * Strategies by stable name, each with its config schema. No global instance: create one with
 * {@link createStrategyRegistry} (built-ins included) and pass it where strategies are built or
 * restored from breakpoints.
 */
export class StrategyRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Registers `factory` under `name`; configs are checked with `configSchema` first. */
  registerStrategy<C>(name: string, factory: StrategyFactory<C>, configSchema: ConfigSchema<C>): void {
    if (this.entries.has(name)) {
      throw new StrategyError(StrategyErrorCode.UNKNOWN_STRATEGY, `a strategy named "${name}" is already registered`);
    }
    this.entries.set(name, { factory: factory as StrategyFactory<unknown>, schema: configSchema });
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Validates `config` (field-level messages) and builds the strategy named `name`. */
  createStrategy(name: string, config: unknown = {}, deps: StrategyDeps = {}): Strategy {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      throw new StrategyError(StrategyErrorCode.UNKNOWN_STRATEGY, `no strategy named "${name}"; registered: ${this.names().join(', ')}`);
    }
    return entry.factory(parseConfig(entry.schema, config, name), { registry: this, deps });
  }

  /** Rebuilds a strategy from a breakpoint snapshot: create by name and config, then load state. */
  restoreStrategy(snapshot: StrategySnapshot, deps: StrategyDeps = {}): Strategy {
    const strategy = this.createStrategy(snapshot.strategyName, snapshot.config, deps);
    strategy.loadState(snapshot.state);
    return strategy;
  }
}

/** The inner strategy of a DP wrapper, built by name through the registry. */
function innerOf(config: { inner?: { strategyName: string; config?: unknown } | undefined }, context: StrategyFactoryContext): Strategy {
  if (config.inner === undefined) {
    throw new StrategyError(StrategyErrorCode.INVALID_CONFIG, 'a DP wrapper built by name needs `inner: { strategyName, config }`', { field: 'inner' });
  }
  return context.registry.createStrategy(config.inner.strategyName, config.inner.config, context.deps);
}

/** Registers every built-in strategy on `registry`. */
export function registerBuiltinStrategies(registry: StrategyRegistry): void {
  const classes = [
    [FedAvg, FedAvgConfigSchema],
    [FedProx, FedProxConfigSchema],
    [Scaffold, ScaffoldConfigSchema],
    [FedAvgM, FedAvgMConfigSchema],
    [FedAdagrad, FedOptConfigSchema],
    [FedAdam, FedOptConfigSchema],
    [FedYogi, FedOptConfigSchema],
    [FedMedian, FedMedianConfigSchema],
    [FedTrimmedAvg, FedTrimmedAvgConfigSchema],
    [Krum, KrumConfigSchema],
    [Bulyan, BulyanConfigSchema],
  ] as const;
  for (const [Class, schema] of classes) {
    registry.registerStrategy(Class.strategyName, (config, { deps }) => new Class(config as never, deps), schema as ConfigSchema<unknown>);
  }
  registry.registerStrategy(
    DifferentialPrivacyServerSideFixedClipping.strategyName,
    (config, context) => new DifferentialPrivacyServerSideFixedClipping(innerOf(config, context), config, context.deps),
    DpFixedClippingConfigSchema,
  );
  registry.registerStrategy(
    DifferentialPrivacyServerSideAdaptiveClipping.strategyName,
    (config, context) => new DifferentialPrivacyServerSideAdaptiveClipping(innerOf(config, context), config, context.deps),
    DpAdaptiveClippingConfigSchema,
  );
}

/** A new registry holding the built-in strategies (and nothing else). */
export function createStrategyRegistry(): StrategyRegistry {
  const registry = new StrategyRegistry();
  registerBuiltinStrategies(registry);
  return registry;
}
