/**
 * z-score standardisation whose statistics come from a chosen subset (the training split only),
 * then apply to every sample, so the test split never leaks into the model's inputs.
 */
import { mapDataset } from './array-dataset';
import { product } from './batching';
import type { Dataset } from './dataset';
import { DatasetError, DatasetErrorCode } from './errors';

/** Per-feature statistics; plain JSON, so a node can persist them beside its split. */
export interface Standardization {
  readonly mean: readonly number[];
  /** The divisor: standard deviation plus epsilon; 1 where that is 0 (constant feature). */
  readonly scale: readonly number[];
}

/** Options of {@link fitStandardization}. */
export interface FitStandardizationOptions {
  /** Delta degrees of freedom: 0 (population, scikit-learn's StandardScaler) or 1 (sample, torch's `std`). */
  readonly ddof?: 0 | 1;
  /** Added to the standard deviation (FLamby adds 1e-9). */
  readonly epsilon?: number;
  /** Flattened feature positions to standardise; the others keep mean 0 and scale 1 (e.g. one-hot columns). */
  readonly positions?: readonly number[];
}

/**
 * Sufficient statistics of each feature position over some samples: what a node may share so that
 * standardisation statistics can be pooled across nodes without any row leaving it.
 */
export interface FeatureMoments {
  readonly count: number;
  readonly mean: readonly number[];
  /** Sum of squared deviations from `mean` (M2), in float64. */
  readonly m2: readonly number[];
}

/** Count, mean and M2 of each feature position over the samples `indices` of `dataset` (two passes, float64). */
export function featureMoments(dataset: Dataset, indices: readonly number[]): FeatureMoments {
  const width = product(dataset.metadata.featureShape);
  const sum = new Float64Array(width);
  for (const index of indices) dataset.features(index).forEach((v, j) => (sum[j] = (sum[j] ?? 0) + v));
  const mean = Array.from(sum, (s) => (indices.length === 0 ? 0 : s / indices.length));
  const m2 = new Float64Array(width);
  for (const index of indices) {
    dataset.features(index).forEach((v, j) => {
      const d = v - (mean[j] ?? 0);
      m2[j] = (m2[j] ?? 0) + d * d;
    });
  }
  return { count: indices.length, mean, m2: Array.from(m2) };
}

/** Computes mean and scale of each feature position over the samples `indices` of `dataset`. */
export function fitStandardization(dataset: Dataset, indices: readonly number[], options: FitStandardizationOptions = {}): Standardization {
  const ddof = options.ddof ?? 0;
  if (indices.length <= ddof) {
    throw new DatasetError(DatasetErrorCode.EMPTY_DATASET, `standardisation needs more than ${ddof} samples, got ${indices.length}`);
  }
  const { mean, m2 } = featureMoments(dataset, indices);
  const selected = new Set(options.positions ?? mean.keys());
  const epsilon = options.epsilon ?? 0;
  return {
    mean: mean.map((m, j) => (selected.has(j) ? m : 0)),
    scale: m2.map((s, j) => {
      const scale = Math.sqrt(s / (indices.length - ddof)) + epsilon;
      return selected.has(j) && scale > 0 ? scale : 1;
    }),
  };
}

/** A new dataset whose features are `(x - mean) / scale`; labels and metadata unchanged. */
export function standardize(dataset: Dataset, stats: Standardization): Dataset {
  const width = product(dataset.metadata.featureShape);
  if (stats.mean.length !== width || stats.scale.length !== width) {
    throw new DatasetError(DatasetErrorCode.INCONSISTENT, `standardisation has ${stats.mean.length} means and ${stats.scale.length} scales for ${width} features`);
  }
  return mapDataset(dataset, (x, out) => {
    for (let j = 0; j < width; j++) out[j] = ((x[j] ?? 0) - (stats.mean[j] ?? 0)) / (stats.scale[j] ?? 1);
  });
}
