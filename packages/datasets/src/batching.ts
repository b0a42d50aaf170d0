/**
 * Turning sample indices into tfjs tensors. Tensors are built straight from `Float32Array`s, one
 * batch at a time, so no intermediate tensor exists and nothing can leak between batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchOptions, Dataset } from './dataset';
import { DatasetError, DatasetErrorCode } from './errors';
import { createRandom, range, shuffled } from './random';

/** Checks batch options against a dataset and returns the indices in batch order. */
export function orderedIndices(dataset: Dataset, options: BatchOptions): number[] {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `batchSize must be a positive integer, got ${options.batchSize}`);
  }
  if (options.oneHotLabels === true && dataset.metadata.numClasses < 1) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `oneHotLabels needs a classification dataset (${dataset.metadata.dataType} has numClasses 0)`);
  }
  const indices = options.indices ?? range(dataset.size);
  for (const index of indices) {
    if (!Number.isInteger(index) || index < 0 || index >= dataset.size) {
      throw new DatasetError(DatasetErrorCode.INDEX_OUT_OF_RANGE, `index ${index} is outside [0, ${dataset.size}) of a ${dataset.metadata.dataType} dataset`);
    }
  }
  return options.shuffleSeed === undefined ? indices.slice() : shuffled(indices, createRandom(options.shuffleSeed));
}

/** Yields the batches of {@link Dataset.batches}; shared by every dataset implementation. */
export function* batchesOf(dataset: Dataset, options: BatchOptions): IterableIterator<Batch> {
  const order = orderedIndices(dataset, options);
  const { featureShape, labelShape, numClasses } = dataset.metadata;
  const featureSize = product(featureShape);
  const oneHot = options.oneHotLabels === true;
  const labelSize = oneHot ? numClasses : product(labelShape);
  for (let start = 0; start < order.length; start += options.batchSize) {
    const indices = order.slice(start, start + options.batchSize);
    if (indices.length < options.batchSize && options.dropRemainder === true) return;
    const x = new Float32Array(indices.length * featureSize);
    const y = new Float32Array(indices.length * labelSize);
    indices.forEach((index, row) => {
      x.set(dataset.features(index), row * featureSize);
      const label = dataset.label(index);
      if (oneHot) y[row * labelSize + (label[0] ?? 0)] = 1;
      else y.set(label, row * labelSize);
    });
    yield {
      xs: tf.tensor(x, [indices.length, ...featureShape], 'float32'),
      ys: tf.tensor(y, oneHot ? [indices.length, numClasses] : [indices.length, ...labelShape], 'float32'),
      size: indices.length,
      indices,
    };
  }
}

/**
 * Runs `fn` on every batch and disposes the batch's tensors after it, even when `fn` throws.
 * Tensors `fn` creates are its own to dispose (or wrap its body in `tf.tidy`).
 */
export async function forEachBatch(
  dataset: Dataset,
  options: BatchOptions,
  fn: (batch: Batch) => void | Promise<void>,
): Promise<void> {
  for (const batch of dataset.batches(options)) {
    try {
      await fn(batch);
    } finally {
      batch.xs.dispose();
      batch.ys.dispose();
    }
  }
}

/** Product of a shape's dimensions (1 for a scalar shape). */
export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
