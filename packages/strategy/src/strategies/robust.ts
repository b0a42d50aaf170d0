import { z } from 'zod';
import { parseConfig, type ConfigSchema } from '../config';
import { StrategyError, StrategyErrorCode } from '../errors';
import { coordinateMedian, meanAroundMedian, trimmedMean } from '../math/coordinate-wise';
import { pairwiseSquaredDistances, selectByKrum } from '../math/krum';
import { WeightedMeanAccumulator } from '../math/weighted-mean';
import type { FitResult } from '../types';
import { FedAvg, FedAvgConfigSchema, type OpenRound, type StrategyDeps, type ValidReplies } from './fedavg';

/**
 * Base of the robust rules: they need every reply at once (K·P memory, as in Flower), so the
 * replies are collected and sorted by node id, which makes each rule independent of arrival order.
 */
abstract class CollectingStrategy extends FedAvg {
  protected override checksFiniteWhileAggregating(): boolean {
    return false;
  }

  protected override async aggregateReplies(open: OpenRound, replies: ValidReplies): Promise<Float32Array> {
    const collected: FitResult[] = [];
    for await (const reply of replies) collected.push(reply);
    collected.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    return this.combine(collected, open);
  }

  /** The rule itself, on replies sorted by node id. */
  protected abstract combine(replies: readonly FitResult[], open: OpenRound): Float32Array;
}

function requireReplies(count: number, needed: number, why: string): void {
  if (count < needed) throw new StrategyError(StrategyErrorCode.TOO_FEW_REPLIES, `${count} valid replies, ${why} needs at least ${needed}`);
}

/** Config of {@link FedMedian}. */
export const FedMedianConfigSchema = FedAvgConfigSchema;

/**
 * Coordinate-wise median (Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML): w[i] = median_k w_k[i], unweighted; the mean of the two middle values
 * for an even count. Independent of reply order, bit for bit.
 */
export class FedMedian extends CollectingStrategy {
  static override readonly strategyName: string = 'fedmedian';

  protected override parse(config: unknown): FedMedian['config'] {
    return parseConfig(FedMedianConfigSchema as ConfigSchema<FedMedian['config']>, config, this.strategyName);
  }

  protected combine(replies: readonly FitResult[]): Float32Array {
    return coordinateMedian(replies.map((reply) => reply.weights));
  }
}

/** Config of {@link FedTrimmedAvg}. */
export const FedTrimmedAvgConfigSchema = FedAvgConfigSchema.extend({
  /** Proportion β in [0, 0.5) cut from each end of every coordinate. */
  beta: z.number().min(0).lt(0.5).default(0.2),
});

/** Validated config of {@link FedTrimmedAvg}. */
export type FedTrimmedAvgConfig = z.output<typeof FedTrimmedAvgConfigSchema>;

/**
 * Coordinate-wise β-trimmed mean (Yin et al. 2018): per coordinate, drop the ⌊βK⌋ smallest and
 * ⌊βK⌋ largest values and average the remaining K − 2⌊βK⌋, unweighted (Flower's FedTrimmedAvg).
 * Independent of reply order, bit for bit.
 */
export class FedTrimmedAvg extends CollectingStrategy {
  static override readonly strategyName: string = 'fedtrimmedavg';
  declare readonly config: FedTrimmedAvgConfig;

  constructor(config: Partial<FedTrimmedAvgConfig> = {}, deps: StrategyDeps = {}) {
    super(config, deps);
  }

  protected override parse(config: unknown): FedTrimmedAvg['config'] {
    return parseConfig(FedTrimmedAvgConfigSchema as ConfigSchema<FedTrimmedAvg['config']>, config, this.strategyName);
  }

  protected combine(replies: readonly FitResult[]): Float32Array {
    return trimmedMean(
      replies.map((reply) => reply.weights),
      this.config.beta,
    );
  }
}

/** Config of {@link Krum}. */
export const KrumConfigSchema = FedAvgConfigSchema.extend({
  /** Number f of Byzantine nodes tolerated. */
  byzantineNodes: z.number().int().min(0).default(0),
  /** Number m of lowest-score replies averaged: 1 is Krum, more is Multi-Krum. */
  selected: z.number().int().min(1).default(1),
});

/** Validated config of {@link Krum}. */
export type KrumConfig = z.output<typeof KrumConfigSchema>;

/**
 * Krum and Multi-Krum (Blanchard et al. 2017, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS). Each reply's score is the sum of its squared distances to
 * its n − f − 2 nearest other replies; Krum returns the reply with the lowest score, Multi-Krum
 * (m > 1) the sample-weighted mean of the m lowest (as Flower). Requires n ≥ 2f + 3 and n ≥ m.
 * Distances take K² numbers, never K×K×P. Ties go to the smaller node id.
 */
export class Krum extends CollectingStrategy {
  static override readonly strategyName: string = 'krum';
  declare readonly config: KrumConfig;

  constructor(config: Partial<KrumConfig> = {}, deps: StrategyDeps = {}) {
    super(config, deps);
  }

  protected override parse(config: unknown): Krum['config'] {
    return parseConfig(KrumConfigSchema as ConfigSchema<Krum['config']>, config, this.strategyName);
  }

  protected combine(replies: readonly FitResult[], open: OpenRound): Float32Array {
    const { byzantineNodes: f, selected: m } = this.config;
    const n = replies.length;
    requireReplies(n, Math.max(2 * f + 3, m), `Krum with f = ${f} and m = ${m}`);
    const distances = pairwiseSquaredDistances(replies.map((reply) => reply.weights));
    const chosen = selectByKrum(distances, n, [...replies.keys()], n - f - 2, m).sort((a, b) => a - b);
    const mean = new WeightedMeanAccumulator(open.model.layout.size);
    for (const index of chosen) mean.add(replies[index]!.weights, this.replyWeight(replies[index]!), index);
    return mean.result()!;
  }
}

/** Config of {@link Bulyan}. */
export const BulyanConfigSchema = FedAvgConfigSchema.extend({
  /** Number f of Byzantine nodes tolerated; needs n ≥ 4f + 3 replies. */
  byzantineNodes: z.number().int().min(0).default(0),
});

/** Validated config of {@link Bulyan}. */
export type BulyanConfig = z.output<typeof BulyanConfigSchema>;

/**
 * Bulyan (El Mhamdi et al. 2018, "The Hidden Vulnerability of Distributed Learning in Byzantium",
 * ICML). Requires n ≥ 4f + 3:
 *
 * 1. select θ = n − 2f replies by applying Krum repeatedly, removing each pick from the pool
 *    (score over max(1, r − f − 2) neighbours for a pool of r);
 * 2. per coordinate, average the β = θ − 2f selected values closest to their median.
 *
 * Independent of reply order, bit for bit (ties go to the smaller node id, then the smaller value).
 */
export class Bulyan extends CollectingStrategy {
  static override readonly strategyName: string = 'bulyan';
  declare readonly config: BulyanConfig;

  constructor(config: Partial<BulyanConfig> = {}, deps: StrategyDeps = {}) {
    super(config, deps);
  }

  protected override parse(config: unknown): Bulyan['config'] {
    return parseConfig(BulyanConfigSchema as ConfigSchema<Bulyan['config']>, config, this.strategyName);
  }

  protected combine(replies: readonly FitResult[]): Float32Array {
    const f = this.config.byzantineNodes;
    const n = replies.length;
    requireReplies(n, 4 * f + 3, `Bulyan with f = ${f} (n ≥ 4f + 3)`);
    const inputs = replies.map((reply) => reply.weights);
    const distances = pairwiseSquaredDistances(inputs);
    const theta = n - 2 * f;
    const pool = [...inputs.keys()];
    const chosen: number[] = [];
    while (chosen.length < theta) {
      const [pick] = selectByKrum(distances, n, pool, Math.max(1, pool.length - f - 2), 1);
      chosen.push(pick!);
      pool.splice(pool.indexOf(pick!), 1);
    }
    chosen.sort((a, b) => a - b);
    return meanAroundMedian(
      chosen.map((index) => inputs[index]!),
      theta - 2 * f,
    );
  }
}

