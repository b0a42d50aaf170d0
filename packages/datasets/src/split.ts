/**
 * Train/test splits as plain index arrays: a node computes one once, stores it as JSON and keeps
 * the same test set in every round of an experiment.
 */
import { classIds } from './array-dataset';
import type { Dataset } from './dataset';
import { DatasetError, DatasetErrorCode } from './errors';
import { createRandom, range, shuffled } from './random';

/** A fixed split of sample indices; JSON-serialisable as is. Both arrays are sorted. */
export interface TrainTestSplit {
  readonly train: readonly number[];
  readonly test: readonly number[];
  /** Number of samples of the dataset it was cut from, to detect a changed dataset on reload. */
  readonly size: number;
  readonly testRatio: number;
  readonly seed: number;
  readonly stratified: boolean;
}

/** Options of {@link splitTrainTest}. */
export interface SplitOptions {
  /** Keep each class's proportion in both parts (classification datasets only). */
  readonly stratify?: boolean;
}

/**
 * Splits a dataset's indices into train and test. `testRatio` in [0, 1): the test part has
 * `ceil(size × testRatio)` samples (per class when stratified), as scikit-learn rounds it. The same
 * dataset size, ratio and seed always give the same split.
 */
export function splitTrainTest(dataset: Dataset, testRatio: number, seed: number, options: SplitOptions = {}): TrainTestSplit {
  if (!(testRatio >= 0 && testRatio < 1)) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `testRatio must be in [0, 1), got ${testRatio}`);
  }
  const random = createRandom(seed);
  const groups = options.stratify === true ? groupByClass(classIds(dataset)) : [range(dataset.size)];
  const train: number[] = [];
  const test: number[] = [];
  for (const group of groups) {
    const order = shuffled(group, random);
    const testCount = Math.min(Math.ceil(order.length * testRatio), order.length - 1);
    test.push(...order.slice(0, Math.max(testCount, 0)));
    train.push(...order.slice(Math.max(testCount, 0)));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending), size: dataset.size, testRatio, seed, stratified: options.stratify === true };
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

function groupByClass(ids: Int32Array): number[][] {
  const groups = new Map<number, number[]>();
  ids.forEach((id, index) => {
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [index]);
    else group.push(index);
  });
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, group]) => group);
}
