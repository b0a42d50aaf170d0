/**
 * The missing-value policy on real data: the first 190 WDBC rows with a header, one cell emptied.
 * No row may disappear without a count; a refusal names the file, line and column.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeTempDir, type TempDir, wdbcSampleRows, writeWdbcSample } from '@fedbiomed/test-utils';
import { DatasetError } from '../errors';
import { createAdapterRegistry } from '../registry';
import { loadCsv } from './csv-adapter';
import { streamCsvBatches } from './csv-stream';
import { describeMissingValues, type MissingValueReport } from './missing-values';

const ROWS = 190;
/** The emptied cell: data row 57 (file line 58, after the header), feature column f3 (mean area). */
const GAP_ROW = 56;
const GAP_LINE = GAP_ROW + 2;
const GAP_COLUMN = 3;

let temp: TempDir;
beforeEach(() => (temp = makeTempDir('fedbiomed-missing-')));
afterEach(() => temp.dispose());

const writeCsv = (name: string, edit: (rows: string[][]) => void): string => writeWdbcSample(join(temp.path, name), ROWS, edit);
const withEmptyCell = (name = 'gap.csv'): string => writeCsv(name, (rows) => (rows[GAP_ROW]![GAP_COLUMN] = ''));

/** Column f3 of every row but the emptied one, as the file holds them. */
function presentAreas(): number[] {
  return wdbcSampleRows(ROWS)
    .filter((_, r) => r !== GAP_ROW)
    .map((row) => Number(row[GAP_COLUMN]));
}

describe('missing values in a CSV', () => {
  it('refuses by default, naming the file, the line and column of the first gap and the rows affected', async () => {
    const path = withEmptyCell();
    const error = await loadCsv(path, { label: 'target' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error).toMatchObject({ code: 'MISSING_VALUE', location: { file: path, row: GAP_LINE, column: 'f3' } });
    expect((error as Error).message).toContain(`1 of ${ROWS} rows have a missing value`);
    expect((error as Error).message).toContain(`(file ${path}, row ${GAP_LINE}, column "f3")`);
  });

  it('drop: keeps 189 of 190 rows and reports the one dropped', async () => {
    const result = await loadCsv(withEmptyCell(), { label: 'target', missing: 'drop' });
    expect(result.dataset.size).toBe(ROWS - 1);
    expect(result.droppedLines).toEqual([GAP_LINE]);
    expect(result.missingValues).toMatchObject({ policy: 'drop', rows: ROWS, droppedRows: 1, imputedRows: 0, imputedCells: 0 });
    expect(describeMissingValues(result.missingValues)).toBe('dropped 1 of 190 rows with missing values (policy: drop)');
  });

  const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const median = (v: readonly number[]): number => {
    const s = [...v].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };

  it.each([
    ['mean', mean],
    ['median', median],
  ] as const)('impute %s: keeps all 190 rows, the gap filled with the statistic of the other rows', async (impute, statistic) => {
    const areas = presentAreas();
    const expected = statistic(areas);
    const { dataset, missingValues } = await loadCsv(withEmptyCell(), { label: 'target', missing: { impute } });
    expect(dataset.size).toBe(ROWS);
    expect(dataset.features(GAP_ROW)[GAP_COLUMN]).toBeCloseTo(expected, 2);
    expect(dataset.features(GAP_ROW + 1)[GAP_COLUMN]).toBeCloseTo(areas[GAP_ROW]!, 2);
    expect(missingValues).toMatchObject({ rows: ROWS, droppedRows: 0, imputedRows: 1, imputedCells: 1 });
    expect(describeMissingValues(missingValues)).toBe(`imputed 1 missing values in 1 of 190 rows (policy: impute ${impute})`);
  });

  it('impute constant: the given value', async () => {
    const { dataset } = await loadCsv(withEmptyCell(), { label: 'target', missing: { impute: 'constant', value: -1 } });
    expect(dataset.size).toBe(ROWS);
    expect(dataset.features(GAP_ROW)[GAP_COLUMN]).toBe(-1);
  });

  it('never imputes a label: refused under impute unless missingLabel is drop', async () => {
    const path = writeCsv('label.csv', (rows) => {
      rows[10]![30] = 'NA';
      rows[GAP_ROW]![GAP_COLUMN] = '';
    });
    const error = await loadCsv(path, { label: 'target', missing: { impute: 'mean' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MISSING_VALUE', location: { row: 12, column: 'target' } });
    expect((error as Error).message).toContain('1 of 190 rows have a missing label');
    expect((error as Error).message).toContain('labels are never imputed');

    const { dataset, missingValues, droppedLines } = await loadCsv(path, { label: 'target', missing: { impute: 'mean', missingLabel: 'drop' } });
    expect(dataset.size).toBe(ROWS - 1);
    expect(droppedLines).toEqual([12]);
    expect(missingValues).toMatchObject({ droppedRows: 1, imputedRows: 1, imputedCells: 1 });
    expect(describeMissingValues(missingValues)).toBe('imputed 1 missing values in 1 of 190 rows and dropped 1 of 190 rows with missing values (policy: impute mean)');
  });

  it('reads only the configured tokens as missing', async () => {
    const path = writeCsv('tokens.csv', (rows) => (rows[5]![0] = '-999'));
    expect((await loadCsv(path, { label: 'target' })).dataset.size).toBe(ROWS); // -999 is a number by default
    const custom = await loadCsv(path, { label: 'target', missing: 'drop', missingTokens: ['-999'] });
    expect(custom.missingValues).toMatchObject({ tokens: ['-999'], droppedRows: 1 });
    expect(custom.droppedLines).toEqual([7]);
    // With custom tokens an empty cell is no longer "missing": it is a non-number in a numeric column.
    await expect(loadCsv(withEmptyCell('gap2.csv'), { label: 'target', missing: 'drop', missingTokens: ['-999'] })).rejects.toMatchObject({
      code: 'NON_NUMERIC',
      location: { row: GAP_LINE, column: 'f3' },
    });
  });

  it('reports through the registry what validate found', async () => {
    const report = await createAdapterRegistry().validate({ type: 'csv', path: withEmptyCell(), options: { label: 'target', missing: 'drop' } });
    expect(report.metadata.sampleCount).toBe(ROWS - 1);
    expect(report.missingValues).toMatchObject({ rows: ROWS, droppedRows: 1 });
  });
});

describe('missing values in a streamed CSV', () => {
  async function count(path: string, options: Parameters<typeof streamCsvBatches>[1]): Promise<number> {
    let rows = 0;
    for await (const batch of streamCsvBatches(path, options)) {
      rows += batch.size;
      tf.dispose([batch.xs, batch.ys]);
    }
    return rows;
  }

  it('refuses by default once the file is counted, naming the first gap and the rows affected', async () => {
    const path = writeCsv('stream.csv', (rows) => {
      rows[GAP_ROW]![GAP_COLUMN] = '';
      rows[100]![7] = '?';
    });
    const error = await count(path, { label: 'target', batchSize: 32 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MISSING_VALUE', location: { row: GAP_LINE, column: 'f3' } });
    expect((error as Error).message).toContain('2 of 190 rows have a missing value');
  });

  it('drop and constant imputation report their counts', async () => {
    const reports: MissingValueReport[] = [];
    const onMissingValues = (report: MissingValueReport) => reports.push(report);
    expect(await count(withEmptyCell(), { label: 'target', batchSize: 32, missing: 'drop', onMissingValues })).toBe(ROWS - 1);
    expect(await count(withEmptyCell('gap2.csv'), { label: 'target', batchSize: 32, missing: { impute: 'constant', value: 0 }, onMissingValues })).toBe(ROWS);
    expect(reports.map(describeMissingValues)).toEqual([
      'dropped 1 of 190 rows with missing values (policy: drop)',
      'imputed 1 missing values in 1 of 190 rows (policy: impute constant 0)',
    ]);
  });
});
