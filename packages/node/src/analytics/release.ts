/**
 * What a node releases of a query's exact statistics, under its analytics policy: the whole query
 * is refused when any statistic or released count falls under the minimum cell count (no partial
 * answer, no suppressed cell), or asks for minima or maxima the policy does not allow; otherwise
 * every value is released, with differential privacy noise when the policy sets it.
 */
import type { AnalyticsPrivacy, StatisticResult } from '@fedbiomed/proto';
import type { Rng } from '@fedbiomed/strategy';
import type { Dataset } from '@fedbiomed/datasets';
import type { AnalyticsDp, AnalyticsPolicy } from '../config';
import { NodeError } from '../errors';
import { featureNames, type ExactStatistic } from './compute';
import { addNoise, noiseScale, type NoiseMechanism, type Sensitivity } from './noise';

/** A query's statistics as the reply carries them. */
export interface Release {
  readonly results: StatisticResult[];
  readonly privacy: AnalyticsPrivacy;
}

/**
 * Checks the statistics against the policy and releases them. Throws a {@link NodeError}
 * (`POLICY_VIOLATION`) naming the first statistic or cell the policy forbids.
 */
export function releaseStatistics(statistics: readonly ExactStatistic[], policy: AnalyticsPolicy, dataset: Dataset, rng: Rng): Release {
  statistics.forEach((statistic) => checkAllowed(statistic, policy));
  const dp = policy.dp;
  if (dp === undefined) {
    return { results: statistics.map((statistic) => exactResult(statistic)), privacy: { mechanism: 'none', epsilon: 0, delta: 0 } };
  }
  // Sequential composition: each statistic spends an equal share of the reply's budget.
  const share = statistics.length;
  const mechanism: NoiseMechanism =
    dp.mechanism === 'laplace' ? { mechanism: 'laplace', epsilon: dp.epsilon / share } : { mechanism: 'gaussian', epsilon: dp.epsilon / share, delta: dp.delta / share };
  const names = featureNames(dataset);
  return {
    results: statistics.map((statistic) => noisyResult(statistic, mechanism, dp, names, dataset, rng)),
    privacy: { mechanism: dp.mechanism, epsilon: dp.epsilon, delta: dp.mechanism === 'gaussian' ? dp.delta : 0 },
  };
}

function checkAllowed(statistic: ExactStatistic, policy: AnalyticsPolicy): void {
  const refuse = (why: string): never => {
    throw new NodeError('POLICY_VIOLATION', `${statistic.label}: ${why}`);
  };
  const { kind } = statistic.request;
  if (kind === 'min' || kind === 'max') {
    if (!policy.allowMinMax) refuse('this node does not release minima or maxima (policy analytics.allowMinMax is false): each is one row\'s value');
    if (policy.dp !== undefined) refuse('minima and maxima have no bounded sensitivity: this node does not release them under differential privacy');
  }
  const min = policy.minCellCount;
  if (statistic.rows.length < min) refuse(`computed on fewer than ${min} rows, the minimum cell count of this node (policy analytics.minCellCount)`);
  const small = statistic.cells.find((cell) => cell.count > 0 && cell.count < min);
  if (small !== undefined) {
    refuse(`${small.label} holds fewer than ${min} rows, the minimum cell count of this node (policy analytics.minCellCount); the query is refused whole, nothing is released (ask for wider bins, or of more rows)`);
  }
}

function exactResult(statistic: ExactStatistic): StatisticResult {
  const value = statistic.value;
  const common = { noiseScale: 0, epsilon: 0 };
  switch (value.kind) {
    case 'count':
      return { count: value.count, ...common };
    case 'moments':
      return { moments: { count: value.count, mean: [...value.mean], m2: [...value.m2] }, ...common };
    case 'comoments':
      return { comoments: { count: value.count, mean: [...value.mean], comoment: [...value.comoment] }, ...common };
    case 'bins':
      return { bins: { counts: [...value.counts] }, ...common };
    case 'missing':
      return { missing: { ...value, missing: [...value.missing] }, ...common };
    case 'extremes':
      return { extremes: { values: [...value.values] }, ...common };
  }
}

/** Largest absolute value of each feature within its DP bounds; refuses a feature without bounds. */
function featureBounds(statistic: ExactStatistic, dp: AnalyticsDp, names: readonly string[]): { lower: number; upper: number; magnitude: number }[] {
  return statistic.features.map((j) => {
    const name = names[j] as string;
    const bounds = dp.bounds[name];
    if (bounds === undefined) {
      throw new NodeError('POLICY_VIOLATION', `${statistic.label}: feature ${name} has no bounds in the node's DP policy (analytics.dp.bounds), so its sum has no bounded sensitivity`);
    }
    const [lower, upper] = bounds;
    return { lower, upper, magnitude: Math.max(Math.abs(lower), Math.abs(upper)) };
  });
}

function noisyResult(statistic: ExactStatistic, mechanism: NoiseMechanism, dp: AnalyticsDp, names: readonly string[], dataset: Dataset, rng: Rng): StatisticResult {
  const value = statistic.value;
  const release = (values: readonly number[], sensitivity: Sensitivity): { noisy: number[]; scale: number } => {
    const scale = noiseScale(mechanism, sensitivity);
    return { noisy: addNoise(values, mechanism, scale, rng), scale };
  };
  const spent = { epsilon: mechanism.epsilon };
  switch (value.kind) {
    case 'count': {
      const { noisy, scale } = release([value.count], { l1: 1, l2: 1 });
      return { count: noisy[0] as number, noiseScale: scale, ...spent };
    }
    case 'bins': {
      // A row falls in exactly one bin (or class): adding or removing it changes one count by 1.
      const { noisy, scale } = release(value.counts, { l1: 1, l2: 1 });
      return { bins: { counts: noisy }, noiseScale: scale, ...spent };
    }
    case 'missing': {
      const width = value.missing.length;
      // One row: up to `width` missing values, one row, one source row, one dropped row, up to `width` imputed values.
      const { noisy, scale } = release([...value.missing, value.rows, value.sourceRows, value.droppedRows, value.imputedCells], {
        l1: 2 * width + 3,
        l2: Math.sqrt(width + 3 + width * width),
      });
      const [rows, sourceRows, droppedRows, imputedCells] = noisy.slice(width) as [number, number, number, number];
      return { missing: { missing: noisy.slice(0, width), rows, sourceRows, droppedRows, imputedCells }, noiseScale: scale, ...spent };
    }
    case 'moments':
    case 'comoments':
      return noisyMoments(statistic, featureBounds(statistic, dp, names), dataset, release, spent);
    case 'extremes':
      throw new NodeError('POLICY_VIOLATION', `${statistic.label}: not released under differential privacy`);
  }
}

type Releaser = (values: readonly number[], sensitivity: Sensitivity) => { noisy: number[]; scale: number };

/**
 * Moments under DP: the count, the sums and the sums of squares (or of products, upper triangle)
 * of the values clipped to their bounds are noised together, then turned into count, mean and
 * (co-)moments. The noisy count is floored at 1 so that the division stays finite.
 */
function noisyMoments(
  statistic: ExactStatistic,
  bounds: readonly { lower: number; upper: number; magnitude: number }[],
  dataset: Dataset,
  release: Releaser,
  spent: { epsilon: number },
): StatisticResult {
  const k = statistic.features.length;
  const pairs = statistic.value.kind === 'comoments' ? upperTriangle(k) : Array.from({ length: k }, (_, a) => [a, a] as const);
  const sums = new Float64Array(k);
  const products = new Float64Array(pairs.length);
  const x = new Float64Array(k);
  for (const row of statistic.rows) {
    const raw = dataset.features(row);
    statistic.features.forEach((j, a) => {
      const b = bounds[a] as { lower: number; upper: number };
      x[a] = Math.min(Math.max(raw[j] as number, b.lower), b.upper);
      sums[a] = (sums[a] as number) + (x[a] as number);
    });
    pairs.forEach(([a, b], p) => (products[p] = (products[p] as number) + (x[a] as number) * (x[b] as number)));
  }
  const magnitudes = bounds.map((b) => b.magnitude);
  const productBounds = pairs.map(([a, b]) => (magnitudes[a] as number) * (magnitudes[b] as number));
  const l1 = 1 + magnitudes.reduce((s, m) => s + m, 0) + productBounds.reduce((s, m) => s + m, 0);
  const l2 = Math.sqrt(1 + magnitudes.reduce((s, m) => s + m * m, 0) + productBounds.reduce((s, m) => s + m * m, 0));
  const { noisy, scale } = release([statistic.rows.length, ...sums, ...products], { l1, l2 });
  const count = noisy[0] as number;
  const n = Math.max(count, 1);
  const sum = noisy.slice(1, 1 + k);
  const product = noisy.slice(1 + k);
  const mean = sum.map((s) => s / n);
  const centred = (p: number, a: number, b: number): number => (product[p] as number) - ((sum[a] as number) * (sum[b] as number)) / n;
  if (statistic.value.kind === 'moments') {
    return { moments: { count, mean, m2: pairs.map(([a], p) => centred(p, a, a)) }, noiseScale: scale, ...spent };
  }
  const comoment = new Array<number>(k * k).fill(0);
  pairs.forEach(([a, b], p) => {
    comoment[a * k + b] = centred(p, a, b);
    comoment[b * k + a] = centred(p, a, b);
  });
  return { comoments: { count, mean, comoment }, noiseScale: scale, ...spent };
}

function upperTriangle(k: number): (readonly [number, number])[] {
  const pairs: (readonly [number, number])[] = [];
  for (let a = 0; a < k; a += 1) for (let b = a; b < k; b += 1) pairs.push([a, b]);
  return pairs;
}
