import * as tf from '@tensorflow/tfjs';
import { makeTempDir, bundledDataset, type TempDir } from '@fedbiomed/test-utils';
import { fitStandardization } from '../standardization';
import { createAdapterRegistry } from '../registry';
import { loadCsv } from './csv-adapter';
import { streamCsvBatches } from './csv-stream';

let temp: TempDir;
beforeEach(() => (temp = makeTempDir()));
afterEach(() => temp.dispose());

function file(name: string, text: string): string {
  return temp.write(name, text);
}

describe('loadCsv', () => {
  it('reads quoted fields, CRLF and a header, and infers numbers and categories', async () => {
    const path = file('a.csv', 'age,"site, city",y\r\n30,"Nice, FR",yes\r\n40,"Paris",no\r\n50,"Nice, FR",yes\r\n');
    const { dataset } = await loadCsv(path, { label: 'y' });
    expect(dataset.metadata).toMatchObject({ featureNames: ['age', 'site, city=Nice, FR', 'site, city=Paris'], numClasses: 2, classNames: ['no', 'yes'] });
    expect(Array.from(dataset.features(1))).toEqual([40, 0, 1]);
    expect(dataset.label(0)[0]).toBe(1);
  });

  it('reads TSV without a header, columns by index, negative index for the last column', async () => {
    const path = file('b.tsv', '1\t2\t0\n3\t4\t1\n');
    const { dataset } = await loadCsv(path, { header: false, label: -1, features: [1, 0] });
    expect(Array.from(dataset.features(1))).toEqual([4, 3]);
    expect(dataset.metadata.featureNames).toEqual(['1', '0']);
  });

  it('drops rows with ?, NA or empty values with missing: drop and reports their lines', async () => {
    const path = file('c.csv', 'a,b,y\n1,2,0\n?,2,1\n3,NA,1\n4,,0\n5,6,\n7,8,1\n');
    const result = await loadCsv(path, { label: 'y', missing: 'drop' });
    expect(result.dataset.size).toBe(2);
    expect(result.sourceLines).toEqual([2, 7]);
    expect(result.droppedLines).toEqual([3, 4, 5, 6]);
    expect(result.column('a')).toEqual(['1', '7']);
  });

  it.each([
    [{ impute: 'mean' } as const, [1, 3, 4, 7], 3.75],
    [{ impute: 'median' } as const, [1, 3, 4, 7], 3.5],
    [{ impute: 'constant', value: -1 } as const, [1, 3, 4, 7], -1],
  ])('imputes missing features with %j', async (missing, _present, fill) => {
    const path = file('d.csv', 'a,y\n1,0\n?,1\n3,1\n4,0\n7,1\n');
    const { dataset } = await loadCsv(path, { label: 'y', missing });
    expect(dataset.size).toBe(5);
    expect(dataset.features(1)[0]).toBeCloseTo(fill, 6);
  });

  it('one-hot encodes with drop-first, fixed categories and type overrides', async () => {
    const path = file('e.csv', 'cp,grade,y\n1,3,0\n2.0,1,1\n4,2,1\n');
    const { dataset } = await loadCsv(path, {
      label: 'y',
      columnTypes: { cp: 'category', grade: 'category' },
      categories: { cp: ['1', '2', '3', '4'] },
      oneHotDropFirst: true,
    });
    expect(dataset.metadata.featureNames).toEqual(['cp=2', 'cp=3', 'cp=4', 'grade=2', 'grade=3']);
    expect(Array.from(dataset.features(0))).toEqual([0, 0, 0, 0, 1]);
    expect(Array.from(dataset.features(1))).toEqual([1, 0, 0, 0, 0]);
  });

  it('numbers non-integer class labels in sorted order and treats many distinct numbers as regression', async () => {
    const path = file('f.csv', 'x,y\n1,2.5\n2,7.25\n3,2.5\n');
    expect((await loadCsv(path, { label: 'y', task: 'classification' })).dataset.metadata).toMatchObject({ numClasses: 2, classNames: ['2.5', '7.25'] });
    expect((await loadCsv(path, { label: 'y' })).dataset.metadata.numClasses).toBe(0);
  });

  it('opens through the registry and validates with the missing-value report', async () => {
    const path = file('g.csv', 'a,y\n1,0\n?,1\n');
    const registry = createAdapterRegistry();
    expect(registry.kinds()).toEqual(['csv', 'images', 'medical-folder', 'mnist']);
    const report = await registry.validate({ type: 'csv', path, options: { label: 'y', missing: 'drop' } });
    expect(report.metadata.sampleCount).toBe(1);
    expect(report.missingValues).toMatchObject({ rows: 2, droppedRows: 1 });
  });
});

describe('streamCsvBatches', () => {
  it('streams the pseudo-ADNI file in batches equal to the whole-file load, standardised', async () => {
    const path = bundledDataset('fedbiomed_pseudo_adni', 'pseudo_adni_mod.csv');
    const options = { delimiter: ';', label: 'MMSE.bl', features: ['AGE', 'WholeBrain.bl'] };
    const { dataset } = await loadCsv(path, { ...options, task: 'regression' });
    const standardization = fitStandardization(dataset, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const before = tf.memory().numTensors;
    const sizes: number[] = [];
    for await (const batch of streamCsvBatches(path, { ...options, batchSize: 128, standardization })) {
      sizes.push(batch.size);
      if (batch.indices[0] === 256) {
        const first = batch.xs.dataSync();
        expect(first[1]).toBeCloseTo(((dataset.features(256)[1] ?? 0) - (standardization.mean[1] ?? 0)) / (standardization.scale[1] ?? 1), 4);
        expect(batch.ys.dataSync()[0]).toBe(dataset.label(256)[0]);
      }
      tf.dispose([batch.xs, batch.ys]);
    }
    expect(sizes).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('one-hot encodes given categories and drops rows with missing values when asked', async () => {
    const path = file('s.csv', 'c,v,y\nb,1,0\na,?,1\nc,3,1\n');
    const batches = [];
    for await (const batch of streamCsvBatches(path, { label: 'y', batchSize: 10, categories: { c: ['a', 'b', 'c'] }, missing: 'drop' })) batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(Array.from(batches[0]?.xs.dataSync() ?? [])).toEqual([0, 1, 0, 1, 0, 0, 1, 3]);
    batches.forEach((b) => tf.dispose([b.xs, b.ys]));
  });
});
