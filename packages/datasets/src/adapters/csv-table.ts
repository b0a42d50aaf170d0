/**
 * Reading delimited text into rows of strings with csv-parse, checking the shape of every row so
 * that later stages only see a rectangular table with known source line numbers.
 */
import { createReadStream } from 'node:fs';
import { type CsvError, type Options as CsvParseOptions, parse } from 'csv-parse';
import { DatasetError, DatasetErrorCode } from '../errors';

/** How the text is laid out. */
export interface CsvLayout {
  /** Field delimiter; `,` by default, `\t` for `.tsv` files. */
  readonly delimiter?: string;
  /** Whether the first (non-skipped) line names the columns. Default true. */
  readonly header?: boolean;
  /** Lines to skip before the header or the first row (e.g. scikit-learn's metadata line). Default 0. */
  readonly skipLines?: number;
}

/** A rectangular table of raw fields. */
export interface CsvTable {
  readonly file: string;
  /** Column names from the header, or `null` when the file has none. */
  readonly columnNames: readonly string[] | null;
  readonly width: number;
  readonly rows: readonly (readonly string[])[];
  /** 1-based source line of each row, for error messages. */
  readonly lines: readonly number[];
}

/** Delimiters a wrong-delimiter diagnosis looks for. */
const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'];

/** The delimiter a layout means for `file`. */
export function delimiterOf(file: string, layout: CsvLayout): string {
  return layout.delimiter ?? (/\.tsv$/i.test(file) ? '\t' : ',');
}

/** csv-parse options for a layout; shared by the whole-file and streaming readers. */
function parserOptions(file: string, layout: CsvLayout): CsvParseOptions {
  return {
    delimiter: delimiterOf(file, layout),
    from_line: (layout.skipLines ?? 0) + 1,
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
    info: true,
  };
}

/** Converts a csv-parse failure into a {@link DatasetError} naming the file and line. */
function csvParseError(file: string, error: unknown): DatasetError {
  // csv-parse's entry points each bundle their own CsvError class, so match on its fields, not instanceof.
  const { message, lines } = error as Partial<CsvError> & { lines?: unknown };
  const location = typeof lines === 'number' ? { file, row: lines } : { file };
  return new DatasetError(DatasetErrorCode.CSV_PARSE, message ?? String(error), location, { cause: error });
}

/**
 * Checks one record against the expected width. A one-field header or first row that contains
 * another common delimiter means the delimiter is wrong; any other mismatch is a ragged row.
 */
export function checkWidth(file: string, record: readonly string[], line: number, width: number, delimiter: string): void {
  if (record.length === width) return;
  throw new DatasetError(DatasetErrorCode.RAGGED_ROW, `expected ${width} fields (delimiter ${JSON.stringify(delimiter)}), found ${record.length}`, { file, row: line });
}

/** Throws WRONG_DELIMITER when the first record is one field holding another candidate delimiter. */
export function checkDelimiter(file: string, first: readonly string[], line: number, delimiter: string): void {
  if (first.length !== 1) return;
  const other = CANDIDATE_DELIMITERS.find((d) => d !== delimiter && (first[0] ?? '').includes(d));
  if (other !== undefined) {
    throw new DatasetError(
      DatasetErrorCode.WRONG_DELIMITER,
      `the first row is one field with delimiter ${JSON.stringify(delimiter)} but contains ${JSON.stringify(other)}; pass delimiter ${JSON.stringify(other)}`,
      { file, row: line },
    );
  }
}

/** A parsed record and the source line it ends on. */
interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * Opens `file` as a stream of parsed records; read and parse failures reach the consumer as
 * {@link DatasetError}s. The whole-file reader and `streamCsvBatches` share this one path.
 */
export async function* csvRecords(file: string, layout: CsvLayout): AsyncGenerator<CsvRecord> {
  const input = createReadStream(file);
  const parser = parse(parserOptions(file, layout));
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    yield* parser as AsyncIterable<CsvRecord>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && !code.startsWith('CSV_')) {
      throw new DatasetError(DatasetErrorCode.FILE_UNREADABLE, (error as Error).message, { file }, { cause: error });
    }
    throw csvParseError(file, error);
  } finally {
    input.destroy();
  }
}

async function parseFile(file: string, layout: CsvLayout): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(file, layout)) records.push(record);
  return records;
}

/** Reads and parses a whole delimited file, or throws a {@link DatasetError}. */
export async function readCsvTable(file: string, layout: CsvLayout): Promise<CsvTable> {
  const records = await parseFile(file, layout);
  const first = records[0];
  if (first === undefined) throw new DatasetError(DatasetErrorCode.EMPTY_DATASET, 'no rows', { file });
  const delimiter = delimiterOf(file, layout);
  checkDelimiter(file, first.record, first.info.lines, delimiter);
  const width = first.record.length;
  for (const { record, info } of records) checkWidth(file, record, info.lines, width, delimiter);
  const body = layout.header === false ? records : records.slice(1);
  if (body.length === 0) throw new DatasetError(DatasetErrorCode.EMPTY_DATASET, 'no data rows after the header', { file });
  return {
    file,
    columnNames: layout.header === false ? null : first.record.map((name) => name.trim()),
    width,
    rows: body.map((r) => r.record),
    lines: body.map((r) => r.info.lines),
  };
}

/** A column's header name, or its index when the file has no header. */
export function columnName(table: CsvTable, index: number): string | number {
  return table.columnNames?.[index] ?? index;
}

/** The non-missing texts of a column, over every row or over `rows` (table row indices). */
export function presentValues(table: CsvTable, index: number, missing: ReadonlySet<string>, rows?: readonly number[]): string[] {
  const fields = rows === undefined ? table.rows : rows.map((r) => table.rows[r] ?? []);
  return fields.map((row) => row[index] ?? '').filter((text) => !missing.has(text.trim()));
}
