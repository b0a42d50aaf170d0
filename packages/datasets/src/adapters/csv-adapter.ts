/**
 * The CSV/TSV adapter: a delimited file becomes a fully validated {@link ArrayDataset}. Column types
 * are inferred (overridable), categories one-hot encoded, missing values refused, dropped or imputed
 * as the options say, and counted.
 */
import { ArrayDataset } from '../array-dataset';
import { DatasetError, DatasetErrorCode } from '../errors';
import type { DatasetAdapter } from '../adapter';
import {
  categoryKey,
  type ColumnPlan,
  type ColumnRef,
  type ColumnType,
  encodeRow,
  featureNamesOf,
  parseNumber,
  resolveColumn,
  sortCategories,
  widthOf,
} from './csv-columns';
import { type LabelLayout, planLabels, type SurvivalColumns } from './csv-labels';
import { type CsvSplitOption, readCsvSplit, splitColumns } from './csv-split';
import { columnName, type CsvLayout, type CsvTable, presentValues, readCsvTable } from './csv-table';
import { DEFAULT_MISSING_TOKENS, type MissingPolicy, type MissingValueReport, missingPositions, missingValueRefusal } from './missing-values';
import { csvOptionsSchema, parseOptions } from './option-schemas';

/** Options of the CSV adapter. */
export interface CsvOptions extends CsvLayout {
  /** The label column, or several (values per sample, e.g. `['time', 'event']` for a plain pair). Required unless `survival` is given. */
  readonly label?: ColumnRef | readonly ColumnRef[];
  /** A survival target: labels `[time, event]`, time ≥ 0, event 1 (observed) or 0 (censored). Replaces `label`. */
  readonly survival?: SurvivalColumns;
  /** The split the file carries (a column or a split file), used as is by every experiment. */
  readonly split?: CsvSplitOption;
  /** Feature columns in order; default: every column but the label. */
  readonly features?: readonly ColumnRef[];
  /** Default: classification when the label is a category or has at most 20 distinct integers. */
  readonly task?: 'classification' | 'regression';
  /** Type overrides by column name or index (as a string key). Inferred: `number` when most values are numbers. */
  readonly columnTypes?: Readonly<Record<string, ColumnType>>;
  /** Texts read as missing, compared after trimming. Default {@link DEFAULT_MISSING_TOKENS}. */
  readonly missingTokens?: readonly string[];
  /** Default `refuse`: a missing value in a feature or the label fails the file. See {@link MissingPolicy}. */
  readonly missing?: MissingPolicy;
  /** Leave out each categorical column's first category (as pandas `get_dummies(drop_first=True)`). */
  readonly oneHotDropFirst?: boolean;
  /** Fixed category lists by column name or index, instead of the sorted values found. */
  readonly categories?: Readonly<Record<string, readonly string[]>>;
}

/** A loaded CSV file: the dataset plus where each sample came from. */
export interface CsvLoadResult {
  readonly dataset: ArrayDataset;
  /** 1-based source line of each sample. */
  readonly sourceLines: readonly number[];
  /** Source lines dropped for a missing value. */
  readonly droppedLines: readonly number[];
  /** What the missing-value policy did. */
  readonly missingValues: MissingValueReport;
  /** The feature columns as encoded. */
  readonly columns: readonly ColumnPlan[];
  /** Raw values of any column for the kept samples (e.g. for a natural split by site). */
  column(ref: ColumnRef): string[];
}

/** A data row holding at least one missing value in the columns used. */
interface Gap {
  /** Row index in the table. */
  readonly row: number;
  /** Label positions (into the label columns) that are missing. */
  readonly labels: readonly number[];
  /** Feature positions (into the feature columns) that are missing. */
  readonly features: readonly number[];
}

/** Reads, validates and encodes a delimited file. Throws a {@link DatasetError}; returns nothing partial. */
export async function loadCsv(file: string, options: CsvOptions): Promise<CsvLoadResult> {
  const layout = labelLayout(options, file);
  const table = await readCsvTable(file, options);
  const tokens = options.missingTokens ?? DEFAULT_MISSING_TOKENS;
  const missing = new Set(tokens);
  const policy = options.missing ?? 'refuse';
  const labelRefs = options.survival === undefined ? [options.label ?? 0].flat() : [options.survival.time, options.survival.event];
  const labelIndices = labelRefs.map((ref) => resolveColumn(ref, table.columnNames, table.width, file));
  const reserved = new Set([...labelIndices, ...splitColumns(options.split, table)]);
  const featureIndices = (options.features ?? [...Array(table.width).keys()].filter((i) => !reserved.has(i))).map((ref) =>
    resolveColumn(ref, table.columnNames, table.width, file),
  );
  const clash = featureIndices.find((i) => reserved.has(i));
  if (clash !== undefined) {
    const role = labelIndices.includes(clash) ? 'label' : 'split';
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `the ${role} column is also listed as a feature`, { file, column: nameOf(table, clash) });
  }
  const gaps = findGaps(table, labelIndices, featureIndices, missing);
  const dropped = rowsToDrop(table, gaps, policy, labelIndices, featureIndices);
  const kept = table.rows.map((_, r) => r).filter((r) => !dropped.has(r));
  if (kept.length === 0) throw new DatasetError(DatasetErrorCode.EMPTY_DATASET, `all ${table.rows.length} rows have a missing value (policy: drop)`, { file });

  const plans = featureIndices.map((index) => planColumn(table, index, kept, options, missing, policy));
  const label = planLabels(table, labelIndices, { layout, ...(options.task !== undefined && { task: options.task }), missing, typeOf: (index) => typeOf(table, index, options, missing) });
  const width = plans.reduce((sum, p) => sum + widthOf(p), 0);
  const features = new Float32Array(kept.length * width);
  const labels = new Float32Array(kept.length * label.width);
  kept.forEach((r, k) => {
    const fields = table.rows[r] ?? [];
    const ctx = { file, line: table.lines[r] ?? 0, missing };
    label.encode(fields, labels.subarray(k * label.width, (k + 1) * label.width), ctx);
    encodeRow(plans, fields, features.subarray(k * width, (k + 1) * width), ctx);
  });
  const split = options.split === undefined ? undefined : await readCsvSplit(options.split, table, kept);
  const imputed = gaps.filter((gap) => !dropped.has(gap.row));

  const dataset = new ArrayDataset({
    metadata: {
      dataType: 'csv',
      featureShape: [width],
      labelShape: [label.width],
      numClasses: label.numClasses,
      ...(label.classNames === undefined ? {} : { classNames: label.classNames }),
      featureNames: featureNamesOf(plans),
      dtypes: { features: 'float32', labels: label.numClasses > 0 ? 'int32' : 'float32' },
      target: label.target,
    },
    features,
    labels,
    ...(split !== undefined && { split }),
  });
  return {
    dataset,
    sourceLines: kept.map((r) => table.lines[r] ?? 0),
    droppedLines: [...dropped].sort((a, b) => a - b).map((r) => table.lines[r] ?? 0),
    missingValues: {
      policy,
      tokens,
      rows: table.rows.length,
      droppedRows: dropped.size,
      imputedRows: imputed.length,
      imputedCells: imputed.reduce((sum, gap) => sum + gap.features.length, 0),
    },
    columns: plans,
    column: (ref) => {
      const index = resolveColumn(ref, table.columnNames, table.width, file);
      return kept.map((r) => table.rows[r]?.[index] ?? '');
    },
  };
}

/** The CSV adapter for {@link AdapterRegistry}: `{ type: 'csv', path, options: CsvOptions }`. */
export const csvAdapter: DatasetAdapter<CsvOptions> = {
  kind: 'csv',
  async open(spec) {
    return (await loadCsv(spec.path, parseOptions(csvOptionsSchema, spec.options, spec.path))).dataset;
  },
  async validate(spec) {
    const { dataset, missingValues } = await loadCsv(spec.path, parseOptions(csvOptionsSchema, spec.options, spec.path));
    return { metadata: dataset.metadata, warnings: [], missingValues };
  },
};

/** Which label layout the options ask for; exactly one of `label` and `survival` must be given. */
function labelLayout(options: CsvOptions, file: string): LabelLayout {
  const label = options?.label;
  const given = typeof label === 'string' || typeof label === 'number' || Array.isArray(label);
  if (options?.survival !== undefined) {
    if (given) throw new DatasetError(DatasetErrorCode.INVALID_OPTION, 'give either option "label" or option "survival" (which names the time and event columns), not both', { file });
    return 'survival';
  }
  if (!given) throw new DatasetError(DatasetErrorCode.INVALID_OPTION, 'option "label" is missing (expected the label column\'s name or index, or a list of them)', { file });
  if (!Array.isArray(label)) return 'single';
  if (label.length === 0) throw new DatasetError(DatasetErrorCode.INVALID_OPTION, 'option "label" lists no column', { file });
  return label.length === 1 ? 'single' : 'values';
}

function findGaps(table: CsvTable, labelIndices: readonly number[], featureIndices: readonly number[], missing: ReadonlySet<string>): Gap[] {
  const gaps: Gap[] = [];
  table.rows.forEach((fields, row) => {
    const labels = missingPositions(fields, labelIndices, missing);
    const features = missingPositions(fields, featureIndices, missing);
    if (labels.length > 0 || features.length > 0) gaps.push({ row, labels, features });
  });
  return gaps;
}

/** Applies the policy to the gaps: the table rows to leave out, or the refusal naming the first gap. */
function rowsToDrop(table: CsvTable, gaps: readonly Gap[], policy: MissingPolicy, labelIndices: readonly number[], featureIndices: readonly number[]): Set<number> {
  const refuse = (refused: readonly Gap[], what: 'value' | 'label'): never => {
    const first = refused[0] as Gap;
    const labelIndex = labelIndices[first.labels[0] ?? 0] ?? 0;
    const column = what === 'label' || first.features.length === 0 ? labelIndex : (featureIndices[first.features[0] ?? 0] ?? 0);
    const line = table.lines[first.row] ?? 0;
    throw missingValueRefusal({ file: table.file, line, column: nameOf(table, column), text: table.rows[first.row]?.[column] ?? '' }, refused.length, table.rows.length, what);
  };
  if (policy === 'refuse' && gaps.length > 0) refuse(gaps, 'value');
  if (policy === 'drop') return new Set(gaps.map((gap) => gap.row));
  const unlabelled = gaps.filter((gap) => gap.labels.length > 0);
  if (typeof policy === 'object' && (policy.missingLabel ?? 'refuse') === 'refuse' && unlabelled.length > 0) refuse(unlabelled, 'label');
  return new Set(unlabelled.map((gap) => gap.row));
}

const nameOf = columnName;

function lookup<T>(record: Readonly<Record<string, T>> | undefined, table: CsvTable, index: number): T | undefined {
  return record?.[String(nameOf(table, index))] ?? record?.[String(index)];
}

function typeOf(table: CsvTable, index: number, options: CsvOptions, missing: ReadonlySet<string>): ColumnType {
  const declared = lookup(options.columnTypes, table, index);
  if (declared !== undefined) {
    if (declared !== 'number' && declared !== 'category') {
      throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `column type must be "number" or "category", got ${JSON.stringify(declared)}`, { file: table.file, column: nameOf(table, index) });
    }
    return declared;
  }
  if (lookup(options.categories, table, index) !== undefined) return 'category';
  let present = 0;
  let numeric = 0;
  for (const row of table.rows) {
    const text = (row[index] ?? '').trim();
    if (missing.has(text)) continue;
    present++;
    if (Number.isFinite(parseNumber(text))) numeric++;
  }
  // A column of mostly numbers with a few words is a corrupt numeric column, not a category.
  return present === 0 || numeric * 2 > present ? 'number' : 'category';
}

function planColumn(table: CsvTable, index: number, kept: readonly number[], options: CsvOptions, missing: ReadonlySet<string>, policy: MissingPolicy): ColumnPlan {
  const type = typeOf(table, index, options, missing);
  const name = String(nameOf(table, index));
  const categories = type === 'category' ? (lookup(options.categories, table, index)?.map(categoryKey) ?? sortCategories(presentValues(table, index, missing).map(categoryKey))) : undefined;
  const plan = { source: index, name, type, ...(categories === undefined ? {} : { categories, dropFirst: options.oneHotDropFirst === true }) };
  if (typeof policy === 'string') return plan;
  // Imputed statistics come from the rows kept, i.e. the node's whole dataset, never from a split.
  const fill = fillValue(type, presentValues(table, index, missing, kept), policy);
  if (fill === undefined) {
    throw new DatasetError(DatasetErrorCode.MISSING_VALUE, `no value in the column to impute a ${policy.impute} from`, { file: table.file, column: nameOf(table, index) });
  }
  return { ...plan, fill };
}

function fillValue(type: ColumnType, values: readonly string[], policy: Exclude<MissingPolicy, string>): number | string | undefined {
  if (policy.impute === 'constant') return policy.value;
  if (type === 'category') {
    // Categories have no mean or median: impute the most frequent one.
    const counts = new Map<string, number>();
    for (const v of values.map(categoryKey)) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  }
  const numbers = values.map(parseNumber).filter(Number.isFinite);
  if (numbers.length === 0) return undefined;
  if (policy.impute === 'mean') return numbers.reduce((a, b) => a + b, 0) / numbers.length;
  numbers.sort((a, b) => a - b);
  const mid = numbers.length >> 1;
  return numbers.length % 2 === 1 ? (numbers[mid] ?? 0) : ((numbers[mid - 1] ?? 0) + (numbers[mid] ?? 0)) / 2;
}
