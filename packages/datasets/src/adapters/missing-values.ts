/**
 * The missing-value policy of tabular data: which texts count as missing, what happens to a row
 * holding one (refuse the file, drop the row, impute the feature), and the count of what was done,
 * which an adapter reports so that no row disappears without a word.
 */
import { DatasetError, DatasetErrorCode } from '../errors';

/** Texts read as missing unless `missingTokens` says otherwise (compared after trimming). */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', '?'];

/** What happens to a row whose label is missing: labels are never imputed. */
export type MissingLabelPolicy = 'refuse' | 'drop';

/**
 * What to do with missing values in the columns used (the features and the label):
 * - `refuse`: fail, naming the first missing cell and the number of rows affected;
 * - `drop`: leave out every row with a missing feature or label (complete cases);
 * - `{ impute }`: fill missing features with the column's mean, median (most frequent category for
 *   a categorical column) or a constant, computed over the rows kept; a missing label is refused,
 *   or dropped with `missingLabel: 'drop'`.
 */
export type MissingPolicy =
  | 'refuse'
  | 'drop'
  | { readonly impute: 'mean' | 'median'; readonly missingLabel?: MissingLabelPolicy }
  | { readonly impute: 'constant'; readonly value: number | string; readonly missingLabel?: MissingLabelPolicy };

/** The policy's result on one file: what an operator sees at `dataset add` and in the registry. */
export interface MissingValueReport {
  /** The policy applied. */
  readonly policy: MissingPolicy;
  /** The texts that counted as missing. */
  readonly tokens: readonly string[];
  /** Data rows read. */
  readonly rows: number;
  /** Rows left out. */
  readonly droppedRows: number;
  /** Rows kept with at least one imputed feature. */
  readonly imputedRows: number;
  /** Feature values imputed. */
  readonly imputedCells: number;
}

/** Where the first missing value is, for the refusal. */
export interface MissingCell {
  readonly file: string;
  /** 1-based source line. */
  readonly line: number;
  readonly column: string | number;
  readonly text: string;
}

/** The policy as one phrase: `drop`, `impute median`, `impute constant -1`. */
export function policyText(policy: MissingPolicy): string {
  if (typeof policy === 'string') return policy;
  return policy.impute === 'constant' ? `impute constant ${JSON.stringify(policy.value)}` : `impute ${policy.impute}`;
}

/** One line for an operator, e.g. `dropped 1 of 190 rows with missing values (policy: drop)`. */
export function describeMissingValues(report: MissingValueReport): string {
  const policy = `(policy: ${policyText(report.policy)})`;
  const parts: string[] = [];
  if (report.imputedCells > 0) parts.push(`imputed ${report.imputedCells} missing values in ${report.imputedRows} of ${report.rows} rows`);
  if (report.droppedRows > 0) parts.push(`dropped ${report.droppedRows} of ${report.rows} rows with missing values`);
  return parts.length === 0 ? `no missing values in ${report.rows} rows ${policy}` : `${parts.join(' and ')} ${policy}`;
}

/** The error of `refuse`: the first missing cell and how many rows hold one. */
export function missingValueRefusal(first: MissingCell, affectedRows: number, totalRows: number, what: 'value' | 'label'): DatasetError {
  const remedy =
    what === 'label'
      ? 'labels are never imputed; set "missingLabel": "drop" in "missing" to drop these rows'
      : 'set option "missing" to "drop" or {"impute": "mean" | "median" | "constant"} to accept them';
  return new DatasetError(
    DatasetErrorCode.MISSING_VALUE,
    `${affectedRows} of ${totalRows} rows have a missing ${what}, the first reads ${JSON.stringify(first.text)}; ${remedy}`,
    { file: first.file, row: first.line, column: first.column },
  );
}

/** Positions in `columns` whose field in `fields` is a missing token. */
export function missingPositions(fields: readonly string[], columns: readonly number[], tokens: ReadonlySet<string>): number[] {
  const positions: number[] = [];
  columns.forEach((column, position) => {
    if (tokens.has((fields[column] ?? '').trim())) positions.push(position);
  });
  return positions;
}
