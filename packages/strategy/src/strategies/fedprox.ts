import { z } from 'zod';
import { parseConfig, type ConfigSchema } from '../config';
import type { ConfigValue } from '../types';
import { FedAvg, FedAvgConfigSchema , type StrategyDeps } from './fedavg';

/** Config key under which each node receives μ. The training package reads it. */
export const FEDPROX_MU_KEY = 'fedproxMu';

/** Config of {@link FedProx}. */
export const FedProxConfigSchema = FedAvgConfigSchema.extend({
  /** Proximal coefficient μ ≥ 0; μ = 0 is FedAvg. */
  mu: z.number().min(0).default(0.01),
});

/** Validated config of {@link FedProx}. */
export type FedProxConfig = z.output<typeof FedProxConfigSchema>;

/**
 * FedProx (Li et al. 2020, "Federated Optimization in Heterogeneous Networks", MLSys). The server
 * side is FedAvg; each node minimises its loss plus the proximal term (μ/2)·‖w − w_global‖², which
 * lives in `@fedbiomed/training`. This class only hands μ to every node as
 * `config.fedproxMu` ({@link FEDPROX_MU_KEY}).
 */
export class FedProx extends FedAvg {
  static override readonly strategyName: string = 'fedprox';
  declare readonly config: FedProxConfig;

  constructor(config: Partial<FedProxConfig> = {}, deps: StrategyDeps = {}) {
    super(config, deps);
  }

  protected override parse(config: unknown): FedProxConfig {
    return parseConfig(FedProxConfigSchema as ConfigSchema<FedProxConfig>, config, this.strategyName);
  }

  protected override fitConfig(round: number, nodeId: string): Record<string, ConfigValue> {
    return { ...super.fitConfig(round, nodeId), [FEDPROX_MU_KEY]: this.config.mu };
  }
}
