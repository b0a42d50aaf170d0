/**
 * The split a CSV file carries: a column naming each row's part, or a split file mapping row ids
 * to parts. Either is used as is by every experiment on the dataset.
 */
import { dirname, resolve } from 'node:path';
import { DatasetError, DatasetErrorCode } from '../errors';
import { fixedSplitOf, type SplitAssignment, type TrainTestSplit } from '../fixed-split';
import { type ColumnRef, resolveColumn } from './csv-columns';
import { columnName, type CsvTable, readCsvTable } from './csv-table';

/** Names of the two parts in the split column; default `train` and `test`. */
interface PartNames {
  readonly train?: string;
  readonly test?: string;
}

/**
 * Where a CSV file's fixed split is:
 * - `{ column }`: a column of the data file holds each row's part;
 * - `{ file, idColumn, splitColumn }`: a split file (path relative to the data file's folder) whose
 *   `idColumn` matches the data file's column of that name and whose `splitColumn` (default
 *   `split`) holds the part.
 */
export type CsvSplitOption = (PartNames & { readonly column: ColumnRef }) | (PartNames & { readonly file: string; readonly idColumn: ColumnRef; readonly splitColumn?: ColumnRef });

/** Columns of the data file the split reads, which are therefore no features. */
export function splitColumns(option: CsvSplitOption | undefined, table: CsvTable): number[] {
  if (option === undefined) return [];
  return [resolveColumn('column' in option ? option.column : option.idColumn, table.columnNames, table.width, table.file)];
}

/** The split of the kept rows `kept` (table row indices) that `option` describes. */
export async function readCsvSplit(option: CsvSplitOption, table: CsvTable, kept: readonly number[]): Promise<TrainTestSplit> {
  const [index = 0] = splitColumns(option, table);
  const part = partReader(option);
  if ('column' in option) {
    const source = `column ${JSON.stringify(columnName(table, index))}`;
    const assignments = kept.map((r) => part(table.rows[r]?.[index] ?? '', { file: table.file, row: table.lines[r] ?? 0, column: columnName(table, index) }));
    return fixedSplitOf(assignments, source, { file: table.file });
  }
  const file = resolve(dirname(table.file), option.file);
  const parts = await readSplitFile(file, option, part);
  const assignments = kept.map((r) => {
    const id = (table.rows[r]?.[index] ?? '').trim();
    const assigned = parts.get(id);
    if (assigned === undefined) {
      throw new DatasetError(DatasetErrorCode.INCONSISTENT, `id ${JSON.stringify(id)} has no part in the split file ${file}`, { file: table.file, row: table.lines[r] ?? 0, column: columnName(table, index) });
    }
    return assigned;
  });
  return fixedSplitOf(assignments, `file ${option.file}`, { file });
}

type PartReader = (text: string, location: { file: string; row: number; column: string | number }) => SplitAssignment;

function partReader(names: PartNames): PartReader {
  const train = names.train ?? 'train';
  const test = names.test ?? 'test';
  return (text, location) => {
    const value = text.trim();
    if (value === train) return 'train';
    if (value === test) return 'test';
    throw new DatasetError(DatasetErrorCode.INVALID_VALUE, `split value ${JSON.stringify(value)} is neither ${JSON.stringify(train)} (train) nor ${JSON.stringify(test)} (test)`, location);
  };
}

async function readSplitFile(file: string, option: Extract<CsvSplitOption, { file: string }>, part: PartReader): Promise<Map<string, SplitAssignment>> {
  const table = await readCsvTable(file, {});
  const idIndex = resolveColumn(option.idColumn, table.columnNames, table.width, file);
  const partIndex = resolveColumn(option.splitColumn ?? 'split', table.columnNames, table.width, file);
  const parts = new Map<string, SplitAssignment>();
  table.rows.forEach((row, r) => {
    const id = (row[idIndex] ?? '').trim();
    const location = { file, row: table.lines[r] ?? 0, column: columnName(table, idIndex) };
    if (parts.has(id)) throw new DatasetError(DatasetErrorCode.INCONSISTENT, `id ${JSON.stringify(id)} appears twice`, location);
    parts.set(id, part(row[partIndex] ?? '', { ...location, column: columnName(table, partIndex) }));
  });
  return parts;
}
