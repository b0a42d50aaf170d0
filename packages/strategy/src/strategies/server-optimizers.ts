import { z } from 'zod';
import { parseConfig, type ConfigSchema } from '../config';
import { decodeFloat32 } from '../state-codec';
import { StrategyError, StrategyErrorCode } from '../errors';
import type { StateValue } from '../types';
import { FedAvg, FedAvgConfigSchema, type OpenRound , type StrategyDeps } from './fedavg';

/** Config of {@link FedAvgM}. */
export const FedAvgMConfigSchema = FedAvgConfigSchema.extend({
  /** Server learning rate η. */
  serverLearningRate: z.number().gt(0).default(1),
  /** Server momentum β in [0, 1); 0 is FedAvg with step η. */
  serverMomentum: z.number().min(0).lt(1).default(0.9),
});

/** Validated config of {@link FedAvgM}. */
export type FedAvgMConfig = z.output<typeof FedAvgMConfigSchema>;

/** Reads a float32 state vector of `size` values, or undefined when the state has none. */
function readVector(state: StateValue, key: string, strategyName: string): Float32Array | undefined {
  if (state === null || typeof state !== 'object' || Array.isArray(state) || state instanceof Float32Array) {
    throw new StrategyError(StrategyErrorCode.INVALID_STATE, `state of "${strategyName}" must be an object`);
  }
  const value = state[key];
  return value === undefined || value === null ? undefined : decodeFloat32(value, key);
}

/**
 * FedAvgM (Hsu et al. 2019, "Measuring the Effects of Non-Identical Data Distribution for
 * Federated Visual Classification"): server momentum on the pseudo-gradient, as Flower's FedAvgM.
 *
 *   Δ_t = w_t − FedAvg(replies),   v_t = β·v_{t−1} + Δ_t,   w_{t+1} = w_t − η·v_t
 *
 * with v_0 = 0. β = 0 and η = 1 give FedAvg.
 */
export class FedAvgM extends FedAvg {
  static override readonly strategyName: string = 'fedavgm';
  declare readonly config: FedAvgMConfig;
  private velocity: Float32Array | undefined;

  constructor(config: Partial<FedAvgMConfig> = {}, deps: StrategyDeps = {}) {
    super(config, deps);
  }

  protected override parse(config: unknown): FedAvgMConfig {
    return parseConfig(FedAvgMConfigSchema as ConfigSchema<FedAvgMConfig>, config, this.strategyName);
  }

  protected override serverUpdate(open: OpenRound, aggregate: Float32Array): Float32Array {
    const current = open.model.weights;
    const size = current.length;
    if (this.velocity?.length !== size) this.velocity = new Float32Array(size);
    const velocity = this.velocity;
    const { serverMomentum: beta, serverLearningRate: eta } = this.config;
    // The aggregate's storage is reused for the new weights.
    for (let i = 0; i < size; i++) {
      const v = beta * velocity[i]! + (current[i]! - aggregate[i]!);
      velocity[i] = v;
      aggregate[i] = current[i]! - eta * v;
    }
    return aggregate;
  }

  protected override saveState(): StateValue {
    return { velocity: this.velocity === undefined ? null : this.velocity.slice() };
  }

  override loadState(state: StateValue): void {
    this.velocity = readVector(state, 'velocity', this.strategyName);
  }
}

/** Config of the FedOpt family ({@link FedAdagrad}, {@link FedAdam}, {@link FedYogi}). */
export const FedOptConfigSchema = FedAvgConfigSchema.extend({
  /** Server learning rate η. */
  eta: z.number().gt(0).default(0.1),
  /** First-moment decay β₁ in [0, 1). */
  beta1: z.number().min(0).lt(1).default(0.9),
  /** Second-moment decay β₂ in [0, 1) (unused by FedAdagrad). */
  beta2: z.number().min(0).lt(1).default(0.99),
  /** Adaptivity τ > 0: v starts at τ² and the step divides by √v + τ. */
  tau: z.number().gt(0).default(1e-3),
  /** Adam-style bias correction of m and v (Flower's FedAdam does it; the paper does not). */
  biasCorrection: z.boolean().default(false),
});

/** Validated config of the FedOpt family. */
export type FedOptConfig = z.output<typeof FedOptConfigSchema>;

/**
 * The FedOpt family (Reddi et al. 2021, "Adaptive Federated Optimization", ICLR, Algorithm 2).
 * With the pseudo-gradient Δ_t = FedAvg(replies) − w_t:
 *
 *   m_t = β₁·m_{t−1} + (1 − β₁)·Δ_t
 *   v_t = (per subclass, from v_{t−1} and Δ_t²)
 *   w_{t+1} = w_t + η · m_t / (√v_t + τ)
 *
 * with m_{−1} = 0 and v_{−1} = τ² as in the paper. The paper's update is the default; set
 * `biasCorrection` for Adam's m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ). m, v and t are kept across
 * rounds and saved in snapshots.
 */
export abstract class FedOpt extends FedAvg {
  declare readonly config: FedOptConfig;
  private m: Float32Array | undefined;
  private v: Float32Array | undefined;
  private step = 0;

  constructor(config: Partial<FedOptConfig> = {}, deps: StrategyDeps = {}) {
    super(config, deps);
  }

  protected override parse(config: unknown): FedOptConfig {
    return parseConfig(FedOptConfigSchema as ConfigSchema<FedOptConfig>, config, this.strategyName);
  }

  /** v_t from v_{t−1} and Δ² (one coordinate). */
  protected abstract secondMoment(previous: number, deltaSquared: number): number;

  protected override serverUpdate(open: OpenRound, aggregate: Float32Array): Float32Array {
    const current = open.model.weights;
    const size = current.length;
    const { eta, beta1, beta2, tau, biasCorrection } = this.config;
    if (this.m?.length !== size || this.v?.length !== size) {
      this.m = new Float32Array(size);
      this.v = new Float32Array(size).fill(tau * tau);
      this.step = 0;
    }
    const m = this.m;
    const v = this.v!;
    this.step++;
    const mScale = biasCorrection ? 1 / (1 - beta1 ** this.step) : 1;
    const vScale = biasCorrection ? 1 / (1 - beta2 ** this.step) : 1;
    for (let i = 0; i < size; i++) {
      const delta = aggregate[i]! - current[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * delta;
      const vi = this.secondMoment(v[i]!, delta * delta);
      m[i] = mi;
      v[i] = vi;
      aggregate[i] = current[i]! + (eta * mi * mScale) / (Math.sqrt(vi * vScale) + tau);
    }
    return aggregate;
  }

  protected override saveState(): StateValue {
    return {
      step: this.step,
      m: this.m === undefined ? null : this.m.slice(),
      v: this.v === undefined ? null : this.v.slice(),
    };
  }

  override loadState(state: StateValue): void {
    this.m = readVector(state, 'm', this.strategyName);
    this.v = readVector(state, 'v', this.strategyName);
    const step = (state as { step?: unknown }).step;
    this.step = typeof step === 'number' && Number.isInteger(step) && step >= 0 ? step : 0;
  }
}

/** FedAdagrad (Reddi et al. 2021): v_t = v_{t−1} + Δ_t². */
export class FedAdagrad extends FedOpt {
  static override readonly strategyName: string = 'fedadagrad';

  protected secondMoment(previous: number, deltaSquared: number): number {
    return previous + deltaSquared;
  }
}

/** FedAdam (Reddi et al. 2021): v_t = β₂·v_{t−1} + (1 − β₂)·Δ_t². */
export class FedAdam extends FedOpt {
  static override readonly strategyName: string = 'fedadam';

  protected secondMoment(previous: number, deltaSquared: number): number {
    const { beta2 } = this.config;
    return beta2 * previous + (1 - beta2) * deltaSquared;
  }
}

/** FedYogi (Reddi et al. 2021): v_t = v_{t−1} − (1 − β₂)·Δ_t²·sign(v_{t−1} − Δ_t²). */
export class FedYogi extends FedOpt {
  static override readonly strategyName: string = 'fedyogi';

  protected secondMoment(previous: number, deltaSquared: number): number {
    return previous - (1 - this.config.beta2) * deltaSquared * Math.sign(previous - deltaSquared);
  }
}
