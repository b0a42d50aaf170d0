/**
 * A CSV made of real data for tests of tabular edge cases: the first rows of the bundled WDBC file
 * with a header (`f0` … `f29`, `target`), where a test can empty or rewrite cells first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledDatasetsDir } from './bundled';

/** The header {@link writeWdbcSample} writes: 30 features and the class (0 malignant, 1 benign). */
export const WDBC_SAMPLE_COLUMNS: readonly string[] = [...Array.from({ length: 30 }, (_, i) => `f${i}`), 'target'];

/** The first `count` WDBC rows as fields (scikit-learn's metadata line left out). */
export function wdbcSampleRows(count: number): string[][] {
  const text = readFileSync(join(bundledDatasetsDir(), 'breast_cancer_wisconsin', 'breast_cancer.csv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1, count + 1)
    .map((line) => line.trim().split(','));
}

/** Writes the first `count` WDBC rows with a header to `file`, after `edit` changed some cells; returns `file`. */
export function writeWdbcSample(file: string, count: number, edit: (rows: string[][]) => void = () => undefined): string {
  const rows = wdbcSampleRows(count);
  edit(rows);
  writeFileSync(file, `${WDBC_SAMPLE_COLUMNS.join(',')}\n${rows.map((row) => row.join(',')).join('\n')}\n`);
  return file;
}
