/**
 * Train/test splits as plain index arrays: a node computes one once, stores it as JSON and keeps
 * the same test set in every round of an experiment.
 */
import { classIds } from './array-dataset';
import type { Dataset } from './dataset';
import { DatasetError, DatasetErrorCode } from './errors';
import type { TrainTestSplit } from './fixed-split';
import { createRandom, range, shuffled } from './random';

export { checkSplit, describeFixedSplit, fixedSplitOf, summarizeSplit } from './fixed-split';
export type { FixedSplitSummary, SplitAssignment, TrainTestSplit } from './fixed-split';

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

function groupByClass(ids: Int32Array): number[][] {
  const groups = new Map<number, number[]>();
  ids.forEach((id, index) => {
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [index]);
    else group.push(index);
  });
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, group]) => group);
}
