import { bundledDataset } from '@fedbiomed/test-utils';
import fc from 'fast-check';
import { ArrayDataset, classIds } from './array-dataset';
import { DatasetErrorCode } from './errors';
import { openBreastCancer } from './recipes/breast-cancer';
import { checkSplit, splitTrainTest } from './split';
import { fitStandardization, standardize } from './standardization';

function sized(n: number): ArrayDataset {
  return new ArrayDataset({
    metadata: { dataType: 'toy', featureShape: [1], labelShape: [1], numClasses: 2, dtypes: { features: 'float32', labels: 'int32' } },
    features: Float32Array.from({ length: n }, (_, i) => i),
    labels: Float32Array.from({ length: n }, (_, i) => (i < n / 4 ? 1 : 0)),
  });
}

describe('splitTrainTest', () => {
  it('partitions the indices with ceil(n × ratio) test samples, for any size, ratio and seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.integer(), (n, ratio, seed) => {
        const split = splitTrainTest(sized(n), ratio, seed);
        expect(split.test.length).toBe(Math.min(Math.ceil(n * ratio), n - 1));
        expect([...split.train, ...split.test].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        checkSplit(split, sized(n));
      }),
      { numRuns: 100 },
    );
  });

  it('survives a JSON round trip and is reproduced by the same seed', () => {
    const dataset = sized(50);
    const split = splitTrainTest(dataset, 0.3, 7);
    const restored = JSON.parse(JSON.stringify(split)) as typeof split;
    expect(restored).toEqual(splitTrainTest(dataset, 0.3, 7));
    expect(restored.test).not.toEqual(splitTrainTest(dataset, 0.3, 8).test);
    expect(() => checkSplit(restored, sized(51))).toThrow(expect.objectContaining({ code: DatasetErrorCode.INCONSISTENT }));
  });

  it('keeps class proportions when stratified (WDBC: 212 malignant / 357 benign)', async () => {
    const dataset = await openBreastCancer({ dir: bundledDataset('breast_cancer_wisconsin') });
    const split = splitTrainTest(dataset, 0.25, 3, { stratify: true });
    const ids = classIds(dataset);
    const malignant = split.test.filter((i) => ids[i] === 0).length;
    expect(malignant).toBe(Math.ceil(212 * 0.25));
    expect(split.test.length - malignant).toBe(Math.ceil(357 * 0.25));
  });

  it('rejects a ratio outside [0, 1)', () => {
    expect(() => splitTrainTest(sized(10), 1, 0)).toThrow(expect.objectContaining({ code: DatasetErrorCode.INVALID_OPTION }));
  });
});

describe('standardisation', () => {
  it('takes its statistics from the training indices only and applies them to every sample', async () => {
    const dataset = await openBreastCancer({ dir: bundledDataset('breast_cancer_wisconsin') });
    const split = splitTrainTest(dataset, 0.2, 11);
    const stats = fitStandardization(dataset, split.train);
    const scaled = standardize(dataset, stats);
    const area = (indices: readonly number[]) => indices.map((i) => scaled.features(i)[3] ?? 0);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const train = area(split.train);
    expect(mean(train)).toBeCloseTo(0, 5);
    expect(Math.sqrt(mean(train.map((v) => v * v)))).toBeCloseTo(1, 4);
    expect(mean(area(split.test))).not.toBeCloseTo(0, 3);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('leaves positions outside `positions` and constant features unscaled', () => {
    const stats = fitStandardization(sized(8), [0, 1, 2, 3], { positions: [] });
    expect(stats).toEqual({ mean: [0], scale: [1] });
    const constant = new ArrayDataset({ metadata: sized(1).metadata, features: Float32Array.of(5, 5, 5), labels: new Float32Array(3) });
    expect(fitStandardization(constant, [0, 1, 2]).scale).toEqual([1]);
  });
});
