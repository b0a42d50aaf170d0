import type { TrainingPlan } from '@fedbiomed/proto';
import { standardizeStep, type StandardizeStep } from '@fedbiomed/training';
import { ResearcherError } from './errors';
import { mergeMoments } from './moments';

/** Sufficient statistics of the features of some rows: what a node shares instead of rows. */
export interface FeatureStatistics {
  /** Number of rows. */
  readonly count: number;
  /** Per-feature mean. */
  readonly mean: readonly number[];
  /** Per-feature sum of squared deviations from `mean` (M2). */
  readonly m2: readonly number[];
}

/** The standardisation every node applies, `(x - mean) / scale` per feature, and how many rows it came from. */
export interface PooledStandardization {
  readonly sampleCount: number;
  readonly mean: readonly number[];
  /** Population standard deviation (ddof 0, as scikit-learn's StandardScaler); 1 for a constant feature. */
  readonly scale: readonly number[];
}

/**
 * Pools the statistics of disjoint row sets into those of their union, exactly (Chan, Golub and
 * LeVeque's parallel update of mean and M2), with no row needed. Throws `BAD_REPLY` when the parts
 * disagree on the number of features or hold a count that is not a non-negative integer.
 */
export function poolFeatureStatistics(parts: readonly FeatureStatistics[]): FeatureStatistics {
  const width = parts[0]?.mean.length ?? 0;
  parts.forEach((part, index) => {
    if (!Number.isInteger(part.count) || part.count < 0) {
      throw new ResearcherError('BAD_REPLY', `feature statistics #${index}: count ${part.count} is not a non-negative integer`);
    }
    if (part.mean.length !== width || part.m2.length !== width) {
      throw new ResearcherError('BAD_REPLY', `feature statistics #${index}: ${part.mean.length} means and ${part.m2.length} M2 values, the first part has ${width} features`);
    }
  });
  const merged = mergeMoments(
    parts.map((part) => ({ count: part.count, mean: part.mean, second: part.m2 })),
    'diagonal',
    'feature statistics',
  );
  return { count: merged.count, mean: merged.mean, m2: merged.second };
}

/** The standardisation of pooled statistics: population standard deviation, 1 where it is 0. */
export function standardizationOf(pooled: FeatureStatistics): PooledStandardization {
  if (pooled.count < 1) throw new ResearcherError('STANDARDIZATION_FAILED', 'no train rows to standardise with');
  return {
    sampleCount: pooled.count,
    mean: [...pooled.mean],
    scale: pooled.m2.map((m2) => {
      const std = Math.sqrt(Math.max(m2, 0) / pooled.count);
      return std > 0 ? std : 1;
    }),
  };
}

/**
 * The plan's `standardize` step, read from its canonical JSON; `undefined` when the plan declares
 * none (or its JSON is not a plan, which the nodes refuse anyway).
 */
export function planStandardizeStep(plan: TrainingPlan): StandardizeStep | undefined {
  let spec: unknown;
  try {
    spec = JSON.parse(plan.canonicalJson ?? '');
  } catch {
    return undefined;
  }
  const { name, preprocessing } = (spec ?? {}) as { name?: unknown; preprocessing?: unknown };
  if (!Array.isArray(preprocessing)) return undefined;
  try {
    return standardizeStep({ name: String(name ?? plan.name ?? ''), preprocessing });
  } catch (cause) {
    throw new ResearcherError('INVALID_OPTION', (cause as Error).message, { cause });
  }
}
