import { z } from 'zod';
import { parseConfig, type ConfigSchema } from '../config';
import { StrategyError, StrategyErrorCode } from '../errors';
import type { ParameterLayout } from '../parameters';
import { createCryptoRng, type Rng } from '../rng';
import type { StrategyDeps } from '../strategies/fedavg';
import type {
  EvaluateAggregate,
  EvaluateResult,
  FitAggregate,
  FitFailure,
  FitInstruction,
  FitReplies,
  FitResult,
  GlobalModel,
  JsonValue,
  StateValue,
  Strategy,
  StrategySnapshot,
} from '../types';
import { findNonFinite } from '../validation';
import { addGaussianNoise, clipByL2Norm } from './clipping';

const InnerSchema = z.object({ strategyName: z.string().min(1), config: z.unknown() });

/** Config of {@link DifferentialPrivacyServerSideFixedClipping}. */
export const DpFixedClippingConfigSchema = z.object({
  /** The wrapped strategy, by registered name and config (used by the registry). */
  inner: InnerSchema.optional(),
  /** Noise multiplier z ≥ 0. */
  noiseMultiplier: z.number().min(0),
  /** Clipping norm C > 0 of each update w_i − w_t. */
  clippingNorm: z.number().gt(0),
  /** Number m of nodes sampled per round (the noise std is z·C/m). */
  numSampledNodes: z.number().int().min(1),
});

/** Validated config of {@link DifferentialPrivacyServerSideFixedClipping}. */
export type DpFixedClippingConfig = z.output<typeof DpFixedClippingConfigSchema>;

/** Config of {@link DifferentialPrivacyServerSideAdaptiveClipping}. */
export const DpAdaptiveClippingConfigSchema = z.object({
  inner: InnerSchema.optional(),
  /** Noise multiplier z of the whole mechanism (split between updates and the clipped count). */
  noiseMultiplier: z.number().min(0),
  /** Clipping norm C₀ of the first round. */
  initialClippingNorm: z.number().gt(0).default(0.1),
  /** Number m of nodes sampled per round. */
  numSampledNodes: z.number().int().min(1),
  /** Target quantile γ of update norms left unclipped, in [0, 1]. */
  targetUnclippedQuantile: z.number().min(0).max(1).default(0.5),
  /** Learning rate η_C of the geometric update of C. */
  clipNormLearningRate: z.number().gt(0).default(0.2),
  /** Std σ_b of the noise on the unclipped count; defaults to m/20 as the paper recommends. */
  clippedCountStddev: z.number().gt(0).optional(),
});

/** Validated config of {@link DifferentialPrivacyServerSideAdaptiveClipping}. */
export type DpAdaptiveClippingConfig = z.output<typeof DpAdaptiveClippingConfigSchema>;

/**
 * Shared body of the server-side DP wrappers: forwards every call to `inner`, clips each reply's
 * update w_i − w_t to the round's norm before `inner` sees it, and adds Gaussian noise to the
 * aggregate. Subclasses pick the norm and the noise std.
 */
abstract class ServerSideDpWrapper implements Strategy {
  protected readonly rng: Rng;
  private model: GlobalModel | undefined;

  constructor(
    readonly inner: Strategy,
    deps: StrategyDeps,
  ) {
    this.rng = deps.rng ?? createCryptoRng();
  }

  abstract readonly strategyName: string;
  protected abstract ownConfig(): Record<string, JsonValue>;
  protected abstract clippingNormThisRound(): number;
  protected abstract noiseStd(): number;
  /** Called with the number of replies left unclipped and the number seen, after aggregation. */
  protected abstract afterRound(unclipped: number, total: number): void;
  protected abstract ownState(): Record<string, JsonValue>;
  protected abstract loadOwnState(state: Record<string, JsonValue>): void;

  initialParameters(layout: ParameterLayout): Float32Array | null {
    return this.inner.initialParameters(layout);
  }

  configureFit(round: number, model: GlobalModel, nodeIds: readonly string[]): FitInstruction[] {
    this.model = model;
    return this.inner.configureFit(round, model, nodeIds);
  }

  async aggregateFit(round: number, results: FitReplies, failures: readonly FitFailure[]): Promise<FitAggregate | null> {
    const model = this.model;
    if (model === undefined) throw new StrategyError(StrategyErrorCode.ROUND_NOT_CONFIGURED, `round ${round} was not opened by configureFit`);
    const norm = this.clippingNormThisRound();
    let unclipped = 0;
    let total = 0;
    const clipped = async function* (): AsyncGenerator<FitResult, void, undefined> {
      for await (const reply of results) {
        // Malformed replies pass through untouched so that the inner strategy's validation
        // reports them with its own policy and messages.
        if (reply.weights.length !== model.weights.length || findNonFinite(reply.weights) >= 0) {
          yield reply;
          continue;
        }
        const update = new Float32Array(reply.weights.length);
        for (let i = 0; i < update.length; i++) update[i] = reply.weights[i]! - model.weights[i]!;
        total++;
        if (!clipByL2Norm(update, norm).clipped) unclipped++;
        for (let i = 0; i < update.length; i++) update[i] = model.weights[i]! + update[i]!;
        yield { ...reply, weights: update };
      }
    };
    const aggregate = await this.inner.aggregateFit(round, clipped(), failures);
    this.model = undefined;
    if (aggregate === null) return null;
    addGaussianNoise(aggregate.weights, this.noiseStd(), this.rng);
    this.afterRound(unclipped, total);
    return aggregate;
  }

  aggregateEvaluate(round: number, results: readonly EvaluateResult[], failures: readonly FitFailure[]): EvaluateAggregate | null {
    return this.inner.aggregateEvaluate(round, results, failures);
  }

  toJSON(): StrategySnapshot {
    const inner = this.inner.toJSON();
    return {
      strategyName: this.strategyName,
      config: { ...this.ownConfig(), inner: { strategyName: inner.strategyName, config: inner.config } },
      state: { ...this.ownState(), inner: inner.state },
    };
  }

  loadState(state: StateValue): void {
    if (state === null || typeof state !== 'object' || Array.isArray(state) || state instanceof Float32Array) {
      throw new StrategyError(StrategyErrorCode.INVALID_STATE, `state of "${this.strategyName}" must be an object`);
    }
    this.inner.loadState(state['inner'] ?? {});
    this.loadOwnState(state as Record<string, JsonValue>);
  }
}

/**
 * Central DP with fixed clipping on the server, shaped like Flower's
 * `DifferentialPrivacyServerSideFixedClipping` (McMahan et al. 2018, "Learning Differentially
 * Private Recurrent Language Models", ICLR). Wraps any strategy: each update w_i − w_t is clipped
 * to L2 norm C before the inner strategy aggregates, then N(0, σ²) noise with
 *
 *   σ = z · C / m
 *
 * is added to every coordinate of the aggregate. The (ε, δ) guarantee of that analysis holds for
 * a uniform mean of m updates: wrap FedAvg with `weighting: 'uniform'`, and account with
 * {@link computeDpEpsilon} using q = m / N and the same z. Replies are clipped into copies (the
 * caller's arrays are not written), one at a time, so a streaming inner strategy stays O(P).
 */
export class DifferentialPrivacyServerSideFixedClipping extends ServerSideDpWrapper {
  static readonly strategyName = 'dp-server-fixed-clipping';
  readonly strategyName = DifferentialPrivacyServerSideFixedClipping.strategyName;
  readonly config: DpFixedClippingConfig;

  constructor(inner: Strategy, config: Partial<DpFixedClippingConfig>, deps: StrategyDeps = {}) {
    super(inner, deps);
    this.config = parseConfig(DpFixedClippingConfigSchema as ConfigSchema<DpFixedClippingConfig>, config, DifferentialPrivacyServerSideFixedClipping.strategyName);
  }

  protected ownConfig(): Record<string, JsonValue> {
    const { noiseMultiplier, clippingNorm, numSampledNodes } = this.config;
    return { noiseMultiplier, clippingNorm, numSampledNodes };
  }

  protected clippingNormThisRound(): number {
    return this.config.clippingNorm;
  }

  protected noiseStd(): number {
    return (this.config.noiseMultiplier * this.config.clippingNorm) / this.config.numSampledNodes;
  }

  protected afterRound(): void {
    // The norm is fixed.
  }

  protected ownState(): Record<string, JsonValue> {
    return {};
  }

  protected loadOwnState(): void {
    // Nothing of its own to restore.
  }
}

/**
 * Central DP with adaptive clipping (Andrew et al. 2021, "Differentially Private Learning with
 * Adaptive Clipping", NeurIPS; arXiv 1905.03871, 2019), shaped like Flower's
 * `DifferentialPrivacyServerSideAdaptiveClipping`. Each round clips to the current C, then
 *
 *   b̃ = (#{i : ‖w_i − w_t‖ ≤ C} + N(0, σ_b²)) / m     (noised fraction NOT clipped)
 *   C ← C · exp(−η_C · (b̃ − γ))
 *
 * so C tracks the γ-quantile of update norms. The noise budget z is split between the updates and
 * the count (the paper's Theorem 1): the aggregate gets std z_Δ·C/m with
 * z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2), which requires z < 2σ_b. σ_b defaults to m/20.
 */
export class DifferentialPrivacyServerSideAdaptiveClipping extends ServerSideDpWrapper {
  static readonly strategyName = 'dp-server-adaptive-clipping';
  readonly strategyName = DifferentialPrivacyServerSideAdaptiveClipping.strategyName;
  readonly config: DpAdaptiveClippingConfig;
  private clippingNorm: number;
  /** z_Δ, the noise multiplier left for the updates. */
  private readonly updateNoiseMultiplier: number;
  private readonly countStddev: number;

  constructor(inner: Strategy, config: Partial<DpAdaptiveClippingConfig>, deps: StrategyDeps = {}) {
    super(inner, deps);
    const name = DifferentialPrivacyServerSideAdaptiveClipping.strategyName;
    this.config = parseConfig(DpAdaptiveClippingConfigSchema as ConfigSchema<DpAdaptiveClippingConfig>, config, name);
    this.clippingNorm = this.config.initialClippingNorm;
    this.countStddev = this.config.clippedCountStddev ?? this.config.numSampledNodes / 20;
    const z = this.config.noiseMultiplier;
    if (z > 0 && z >= 2 * this.countStddev) {
      throw new StrategyError(
        StrategyErrorCode.INVALID_CONFIG,
        `strategy "${name}": noiseMultiplier ${z} must be below 2·clippedCountStddev = ${2 * this.countStddev} to leave noise for the updates`,
        { field: 'noiseMultiplier' },
      );
    }
    this.updateNoiseMultiplier = z === 0 ? 0 : (z ** -2 - (2 * this.countStddev) ** -2) ** -0.5;
  }

  /** The clipping norm the next round will use. */
  get currentClippingNorm(): number {
    return this.clippingNorm;
  }

  protected ownConfig(): Record<string, JsonValue> {
    const { inner: _inner, ...own } = this.config;
    return JSON.parse(JSON.stringify(own)) as Record<string, JsonValue>;
  }

  protected clippingNormThisRound(): number {
    return this.clippingNorm;
  }

  protected noiseStd(): number {
    return (this.updateNoiseMultiplier * this.clippingNorm) / this.config.numSampledNodes;
  }

  protected afterRound(unclipped: number): void {
    const noisedFraction = (unclipped + this.countStddev * this.rng.nextGaussian()) / this.config.numSampledNodes;
    this.clippingNorm *= Math.exp(-this.config.clipNormLearningRate * (noisedFraction - this.config.targetUnclippedQuantile));
  }

  protected ownState(): Record<string, JsonValue> {
    return { clippingNorm: this.clippingNorm };
  }

  protected loadOwnState(state: Record<string, JsonValue>): void {
    const norm = state['clippingNorm'];
    if (typeof norm !== 'number' || !(norm > 0)) {
      throw new StrategyError(StrategyErrorCode.INVALID_STATE, `clipping norm must be a positive number, got ${String(norm)}`, { field: 'clippingNorm' });
    }
    this.clippingNorm = norm;
  }
}
