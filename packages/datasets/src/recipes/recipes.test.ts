import { bundledDataset } from '@fedbiomed/test-utils';
import { classIds } from '../array-dataset';
import { describeMissingValues } from '../adapters/missing-values';
import { openBreastCancer } from './breast-cancer';
import { openHeartDisease } from './heart-disease';
import { openMnistTrain } from './mnist';
import { openPseudoAdni } from './pseudo-adni';

const counts = (ids: Int32Array) => Array.from(ids).reduce<Record<number, number>>((acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }), {});

describe('breast cancer (WDBC)', () => {
  it('has 569 samples of 30 features, 212 malignant and 357 benign', async () => {
    const dataset = await openBreastCancer({ dir: bundledDataset('breast_cancer_wisconsin') });
    expect(dataset.size).toBe(569);
    expect(dataset.metadata).toMatchObject({ featureShape: [30], numClasses: 2, classNames: ['malignant', 'benign'], dataType: 'breast-cancer-wisconsin' });
    expect(counts(classIds(dataset))).toEqual({ 0: 212, 1: 357 });
    expect(dataset.features(0)[0]).toBeCloseTo(17.99, 5);
    expect(dataset.features(0)[3]).toBeCloseTo(1001, 3);
    expect(dataset.metadata.featureNames?.[29]).toBe('worst fractal dimension');
  });
});

describe('pseudo-ADNI', () => {
  it('reads 1,000 rows of the ;-separated CRLF file as a regression of MMSE.bl on 6 inputs', async () => {
    const dataset = await openPseudoAdni({ dir: bundledDataset('fedbiomed_pseudo_adni') });
    expect(dataset.size).toBe(1000);
    expect(dataset.metadata).toMatchObject({ featureShape: [6], numClasses: 0, featureNames: ['AGE', 'WholeBrain.bl', 'Ventricles.bl', 'Hippocampus.bl', 'MidTemp.bl', 'Entorhinal.bl'] });
    const mmse = Array.from({ length: dataset.size }, (_, i) => dataset.label(i)[0] ?? Number.NaN);
    expect(Math.min(...mmse)).toBeGreaterThanOrEqual(15);
    expect(Math.max(...mmse)).toBeLessThanOrEqual(30);
  });
});

describe('Fed-Heart-Disease (FLamby preprocessing)', () => {
  const expected = [
    { rows: 303, train: 199, test: 104, positives: 139 },
    { rows: 261, train: 172, test: 89, positives: 98 },
    { rows: 46, train: 30, test: 16, positives: 45 },
    { rows: 130, train: 85, test: 45, positives: 101 },
  ];
  it.each([
    [0, 'no missing values in 303 rows (policy: drop)'],
    [1, 'dropped 33 of 294 rows with missing values (policy: drop)'],
    [2, 'dropped 77 of 123 rows with missing values (policy: drop)'],
    [3, 'dropped 70 of 200 rows with missing values (policy: drop)'],
  ] as const)('center %i keeps FLamby\'s dropping of rows with "?" and reports it: %s', async (center, report) => {
    const { dataset, missingValues } = await openHeartDisease({ dir: bundledDataset('heart_disease'), center });
    expect(describeMissingValues(missingValues)).toBe(report);
    expect(missingValues.rows - missingValues.droppedRows).toBe(dataset.size);
  });

  it.each([0, 1, 2, 3] as const)('center %i has FLamby usable rows, split and positives', async (center) => {
    const { dataset, split } = await openHeartDisease({ dir: bundledDataset('heart_disease'), center });
    const want = expected[center];
    expect(dataset.size).toBe(want?.rows);
    expect([split.train.length, split.test.length]).toEqual([want?.train, want?.test]);
    expect(counts(classIds(dataset))[1]).toBe(want?.positives);
    expect(dataset.metadata.featureShape).toEqual([13]);
  });

  it('z-scores with the training rows only: train features have mean 0 and sample std 1', async () => {
    const { dataset, split } = await openHeartDisease({ dir: bundledDataset('heart_disease'), center: 0 });
    for (const column of [0, 3, 7]) {
      const values = split.train.map((i) => dataset.features(i)[column] ?? Number.NaN);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
      expect(mean).toBeCloseTo(0, 5);
      expect(Math.sqrt(variance)).toBeCloseTo(1, 4);
    }
    const testAge = split.test.map((i) => dataset.features(i)[0] ?? 0);
    expect(Math.abs(testAge.reduce((a, b) => a + b, 0) / testAge.length)).toBeGreaterThan(1e-4);
  });

  it('one-hot encodes cp and restecg after the numeric columns, first category dropped', async () => {
    const { dataset } = await openHeartDisease({ dir: bundledDataset('heart_disease'), center: 0, normalize: false });
    expect(dataset.metadata.featureNames).toEqual(['age', 'sex', 'trestbps', 'chol', 'fbs', 'thalach', 'exang', 'oldpeak', 'cp=2', 'cp=3', 'cp=4', 'restecg=1', 'restecg=2']);
    // Cleveland line 1: 63.0,1.0,1.0,145.0,233.0,1.0,2.0,150.0,0.0,2.3,... num 0
    expect(Array.from(dataset.features(0))).toEqual([63, 1, 145, 233, 1, 150, 0, expect.closeTo(2.3, 5), 0, 0, 0, 0, 1]);
    expect(dataset.label(0)[0]).toBe(0);
  });
});

describe('MNIST training set', () => {
  it('reads the 60,000 training images of 28×28 with the published class counts', async () => {
    const dataset = await openMnistTrain({ dir: bundledDataset('mnist') });
    expect(dataset.size).toBe(60_000);
    expect(dataset.metadata).toMatchObject({ featureShape: [28, 28, 1], numClasses: 10 });
    expect(counts(classIds(dataset))).toEqual({ 0: 5923, 1: 6742, 2: 5958, 3: 6131, 4: 5842, 5: 5421, 6: 5918, 7: 6265, 8: 5851, 9: 5949 });
  });
});
