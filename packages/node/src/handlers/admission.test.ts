import { missingTestSplit } from './admission';

const task = { record: { id: 'dataset-1', name: 'tiny' } } as Parameters<typeof missingTestSplit>[0];

describe('missingTestSplit', () => {
  it('says the ratio left no test row on a dataset too small for it, not that the ratio is 0', () => {
    // Two rows of two classes: a stratified cut keeps each class's only row for training.
    const split = { train: [0, 1], test: [], size: 2, testRatio: 0.25, seed: 1, stratified: true };
    expect(missingTestSplit(task, split, 'evaluate reports metrics on test rows')).toBe(
      "evaluate reports metrics on test rows, but dataset dataset-1 (tiny) has no test split: the request's testRatio 0.25 leaves no test row among its 2 rows, " +
        'each class keeping one for training; give the node more rows (a simulation: a larger minPartitionSize)',
    );
  });

  it('names a zero ratio, and a fixed split without test rows, with how to add one', () => {
    const zero = { train: [0, 1, 2], test: [], size: 3, testRatio: 0, seed: 1, stratified: false };
    expect(missingTestSplit(task, zero, 'evaluate')).toContain("the request's testRatio is 0 and the dataset carries no split of its own; set testRatio above 0");
    expect(missingTestSplit(task, { ...zero, fixed: 'column "split"' }, 'evaluate')).toContain('its own split (column "split") holds no test row; set testRatio above 0');
  });

  it('passes a split holding test rows', () => {
    const split = { train: [0, 1, 2], test: [3], size: 4, testRatio: 0.25, seed: 1, stratified: false };
    expect(missingTestSplit(task, split, 'evaluate')).toBeUndefined();
  });
});
