/**
 * The data types of splits, plain JSON: a leaf module so that the dataset contract can name a
 * dataset's own split without depending on the code that cuts or checks one.
 */

/** A fixed split of sample indices; JSON-serialisable as is. Both arrays are sorted. */
export interface TrainTestSplit {
  readonly train: readonly number[];
  readonly test: readonly number[];
  /** Number of samples of the dataset it was cut from, to detect a changed dataset on reload. */
  readonly size: number;
  readonly testRatio: number;
  readonly seed: number;
  readonly stratified: boolean;
  /** Where a split the source fixes comes from (`column "split"`, `file split.csv`); absent for a cut split. */
  readonly fixed?: string;
}

/** A fixed split in counts: what a node stores and reports to researchers. */
export interface FixedSplitSummary {
  /** Where the split comes from, e.g. `column "split"`. */
  readonly source: string;
  readonly train: number;
  readonly test: number;
}

/** The part a source assigns one sample to. */
export type SplitAssignment = 'train' | 'test';
