/**
 * The in-memory dataset every adapter returns: samples fully parsed and validated into two flat
 * `Float32Array`s, so nothing is half-loaded and random access is a subarray view.
 */
import type { Batch, BatchOptions, Dataset, DatasetMetadata } from './dataset';
import { batchesOf, product } from './batching';
import { DatasetError, DatasetErrorCode } from './errors';
import { checkSplit, summarizeSplit, type TrainTestSplit } from './fixed-split';

/** Everything {@link ArrayDataset} needs; `sampleCount` is derived from the arrays. */
export interface ArrayDatasetInit {
  readonly metadata: Omit<DatasetMetadata, 'sampleCount'>;
  /** `sampleCount × product(featureShape)` values, sample-major. */
  readonly features: Float32Array;
  /** `sampleCount × product(labelShape)` values, sample-major. */
  readonly labels: Float32Array;
  /** The split the source fixes; its counts become `metadata.fixedSplit`. */
  readonly split?: TrainTestSplit;
}

/** A {@link Dataset} over flat arrays held in memory. */
export class ArrayDataset implements Dataset {
  readonly metadata: DatasetMetadata;
  readonly size: number;
  readonly split?: TrainTestSplit;
  private readonly featureSize: number;
  private readonly labelSize: number;
  private readonly x: Float32Array;
  private readonly y: Float32Array;

  constructor(init: ArrayDatasetInit) {
    this.featureSize = product(init.metadata.featureShape);
    this.labelSize = product(init.metadata.labelShape);
    if (this.featureSize < 1 || this.labelSize < 1) {
      throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `featureShape [${init.metadata.featureShape.join(', ')}] and labelShape [${init.metadata.labelShape.join(', ')}] must be non-empty`);
    }
    const size = init.features.length / this.featureSize;
    if (!Number.isInteger(size) || size * this.labelSize !== init.labels.length) {
      throw new DatasetError(
        DatasetErrorCode.INCONSISTENT,
        `${init.features.length} feature values and ${init.labels.length} label values do not make whole samples of [${init.metadata.featureShape.join(', ')}] / [${init.metadata.labelShape.join(', ')}]`,
      );
    }
    this.size = size;
    this.x = init.features;
    this.y = init.labels;
    this.metadata = { ...init.metadata, sampleCount: size, ...(init.split !== undefined && { fixedSplit: summarizeSplit(init.split) }) };
    if (init.split !== undefined) {
      checkSplit(init.split, this);
      this.split = init.split;
    }
  }

  features(index: number): Float32Array {
    this.check(index);
    return this.x.subarray(index * this.featureSize, (index + 1) * this.featureSize);
  }

  label(index: number): Float32Array {
    this.check(index);
    return this.y.subarray(index * this.labelSize, (index + 1) * this.labelSize);
  }

  batches(options: BatchOptions): IterableIterator<Batch> {
    return batchesOf(this, options);
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new DatasetError(DatasetErrorCode.INDEX_OUT_OF_RANGE, `index ${index} is outside [0, ${this.size}) of a ${this.metadata.dataType} dataset`);
    }
  }
}

/**
 * Copies any dataset's samples into a new {@link ArrayDataset}, mapping each sample's features
 * with `mapFeatures` (which writes into `out`). Used by transforms such as standardisation.
 */
export function mapDataset(
  dataset: Dataset,
  mapFeatures: (features: Float32Array, out: Float32Array) => void,
  metadata: Partial<Omit<DatasetMetadata, 'sampleCount'>> = {},
): ArrayDataset {
  const featureSize = product(dataset.metadata.featureShape);
  const labelSize = product(dataset.metadata.labelShape);
  const features = new Float32Array(dataset.size * featureSize);
  const labels = new Float32Array(dataset.size * labelSize);
  for (let i = 0; i < dataset.size; i++) {
    mapFeatures(dataset.features(i), features.subarray(i * featureSize, (i + 1) * featureSize));
    labels.set(dataset.label(i), i * labelSize);
  }
  return new ArrayDataset({ metadata: { ...dataset.metadata, ...metadata }, features, labels, ...(dataset.split !== undefined && { split: dataset.split }) });
}

/** Class id of each sample of a classification dataset (the first label value, as an integer). */
export function classIds(dataset: Dataset): Int32Array {
  if (dataset.metadata.numClasses < 1) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `a ${dataset.metadata.dataType} dataset with numClasses 0 (regression) has no class ids`);
  }
  const ids = new Int32Array(dataset.size);
  for (let i = 0; i < dataset.size; i++) ids[i] = Math.round(dataset.label(i)[0] ?? 0);
  return ids;
}

/** The same samples under changed metadata (a recipe naming its classes and features). */
export function withMetadata(dataset: Dataset, metadata: Partial<Omit<DatasetMetadata, 'sampleCount'>>): ArrayDataset {
  return mapDataset(dataset, (x, out) => out.set(x), metadata);
}

/** A new dataset of the samples `indices` of `dataset`, in that order (e.g. one simulated node's partition). */
export function subsetDataset(dataset: Dataset, indices: readonly number[]): ArrayDataset {
  const featureSize = product(dataset.metadata.featureShape);
  const labelSize = product(dataset.metadata.labelShape);
  const features = new Float32Array(indices.length * featureSize);
  const labels = new Float32Array(indices.length * labelSize);
  indices.forEach((index, i) => {
    features.set(dataset.features(index), i * featureSize);
    labels.set(dataset.label(index), i * labelSize);
  });
  // Another set of samples: a split fixed on the source's indices no longer applies.
  const { fixedSplit: _dropped, ...metadata } = dataset.metadata;
  return new ArrayDataset({ metadata, features, labels });
}
