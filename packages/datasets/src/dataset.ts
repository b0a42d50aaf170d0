/**
 * The contract every dataset of this package fulfils, whatever its source: metadata, random access
 * to samples as `Float32Array`s, and batching into tfjs tensors.
 */
import type * as tf from '@tensorflow/tfjs';
import type { FixedSplitSummary, TrainTestSplit } from './split-types';
import type { DatasetTarget } from './target';

/** Element types of the tensors a dataset yields. */
export interface DatasetDtypes {
  readonly features: 'float32';
  /** `int32` semantics (class ids stored as floats) for classification, `float32` for regression. */
  readonly labels: 'int32' | 'float32';
}

/** What a dataset holds; plain JSON, so a node can store it and answer a search with it. */
export interface DatasetMetadata {
  /** `csv`, `images`, `mnist`, `medical-folder`, or a recipe name such as `fed-heart-disease`. */
  readonly dataType: string;
  readonly sampleCount: number;
  /** Shape of one sample's features, e.g. `[30]` or `[28, 28, 1]`. */
  readonly featureShape: readonly number[];
  /** Shape of one sample's label: `[1]` for a class id or a scalar target. */
  readonly labelShape: readonly number[];
  /** Number of classes; 0 for regression. */
  readonly numClasses: number;
  /** Names of classes 0..numClasses-1, when known. */
  readonly classNames?: readonly string[];
  /** Names of the flattened feature positions, when the source has names (CSV columns). */
  readonly featureNames?: readonly string[];
  readonly dtypes: DatasetDtypes;
  /** What the labels are (class ids, values, `[time, event]`, masks); absent: derived from `numClasses` (see `targetOf`). */
  readonly target?: DatasetTarget;
  /** The train/test split the source fixes (a split column or file), in counts; absent when it fixes none. */
  readonly fixedSplit?: FixedSplitSummary;
}

/** One batch of tensors. The caller owns `xs` and `ys` and must dispose them. */
export interface Batch {
  /** Shape `[size, ...featureShape]`, float32. */
  readonly xs: tf.Tensor;
  /** Shape `[size, ...labelShape]`, or `[size, numClasses]` with `oneHotLabels`. */
  readonly ys: tf.Tensor;
  readonly size: number;
  /** Dataset indices of the rows, in batch order. */
  readonly indices: readonly number[];
}

/** How to cut a set of indices into batches. */
export interface BatchOptions {
  /** Sample indices to batch (a split's `train` or `test`); all samples when omitted. */
  readonly indices?: readonly number[];
  readonly batchSize: number;
  /** Shuffle `indices` with this seed first (one seed per epoch gives a new order per epoch). */
  readonly shuffleSeed?: number;
  /** Drop a last batch smaller than `batchSize`. */
  readonly dropRemainder?: boolean;
  /** Yield one-hot labels `[size, numClasses]` (classification only). */
  readonly oneHotLabels?: boolean;
}

/** A finite, randomly accessible dataset. */
export interface Dataset {
  readonly metadata: DatasetMetadata;
  /** Number of samples (equals `metadata.sampleCount`). */
  readonly size: number;
  /** The flattened features of one sample (length = product of `featureShape`). Do not mutate. */
  features(index: number): Float32Array;
  /** The flattened label of one sample (length = product of `labelShape`). Do not mutate. */
  label(index: number): Float32Array;
  /**
   * Batches as tfjs tensors, created lazily one at a time. The caller disposes each batch's
   * tensors (or uses {@link forEachBatch}, which does).
   */
  batches(options: BatchOptions): IterableIterator<Batch>;
  /**
   * The split the source itself fixes (a CSV split column or split file): every experiment uses it
   * as is, whatever test ratio it asks for. Absent when the source fixes none.
   */
  readonly split?: TrainTestSplit;
}
