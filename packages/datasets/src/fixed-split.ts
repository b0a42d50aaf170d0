/**
 * Splits as plain index arrays, and the splits a source fixes itself (a split column, a split file,
 * FLamby's per-center file): one sample-by-sample assignment turned into a {@link TrainTestSplit}.
 */
import type { Dataset } from './dataset';
import { DatasetError, DatasetErrorCode, type DatasetErrorLocation } from './errors';
import type { FixedSplitSummary, SplitAssignment, TrainTestSplit } from './split-types';

export type { FixedSplitSummary, SplitAssignment, TrainTestSplit } from './split-types';

/** The counts of a fixed split. */
export function summarizeSplit(split: TrainTestSplit): FixedSplitSummary {
  return { source: split.fixed ?? 'fixed', train: split.train.length, test: split.test.length };
}

/** A fixed split in words: `column "split": 150 train, 50 test rows, used as is by every experiment`. */
export function describeFixedSplit(summary: FixedSplitSummary): string {
  return `${summary.source}: ${summary.train} train, ${summary.test} test rows, used as is by every experiment`;
}

/**
 * The split of samples assigned one by one (sample i to `assignments[i]`), named by its `source`.
 * A split without a training sample is refused (at `location`).
 */
export function fixedSplitOf(assignments: readonly SplitAssignment[], source: string, location: DatasetErrorLocation = {}): TrainTestSplit {
  const train: number[] = [];
  const test: number[] = [];
  assignments.forEach((part, index) => (part === 'train' ? train : test).push(index));
  if (train.length === 0) throw new DatasetError(DatasetErrorCode.INCONSISTENT, `the split (${source}) assigns no sample to train`, location);
  const size = assignments.length;
  return { train, test, size, testRatio: test.length / size, seed: 0, stratified: false, fixed: source };
}

/**
 * Checks a stored split against the dataset it will index (for instance after reading it back from
 * a node's database): same size, indices in range, no overlap.
 */
export function checkSplit(split: TrainTestSplit, dataset: Dataset): void {
  if (split.size !== dataset.size) {
    throw new DatasetError(DatasetErrorCode.INCONSISTENT, `the split was cut from ${split.size} samples but the ${dataset.metadata.dataType} dataset now has ${dataset.size}`);
  }
  const seen = new Uint8Array(dataset.size);
  for (const index of [...split.train, ...split.test]) {
    if (!Number.isInteger(index) || index < 0 || index >= dataset.size) {
      throw new DatasetError(DatasetErrorCode.INDEX_OUT_OF_RANGE, `split index ${index} is outside [0, ${dataset.size})`);
    }
    if (seen[index] === 1) throw new DatasetError(DatasetErrorCode.INCONSISTENT, `split index ${index} appears twice`);
    seen[index] = 1;
  }
}

