/**
 * Streaming a delimited file larger than memory: the file is read and parsed incrementally and only
 * one batch of rows is held at a time. The schema must be known up front: numeric columns, plus
 * categorical ones whose categories are given, and statistics computed beforehand.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../dataset';
import { DatasetError, DatasetErrorCode } from '../errors';
import type { Standardization } from '../standardization';
import { type ColumnPlan, type ColumnRef, encodeRow, parseNumber, resolveColumn, widthOf } from './csv-columns';
import { checkDelimiter, checkWidth, type CsvLayout, csvRecords, delimiterOf } from './csv-table';
import { DEFAULT_MISSING_TOKENS, type MissingCell, type MissingLabelPolicy, type MissingValueReport, missingPositions, missingValueRefusal } from './missing-values';

/** Options of {@link streamCsvBatches}. */
export interface CsvStreamOptions extends CsvLayout {
  /** The label column; its values must be numbers (class ids or regression targets). */
  readonly label: ColumnRef;
  /** Feature columns; default every column but the label. */
  readonly features?: readonly ColumnRef[];
  readonly batchSize: number;
  /** Categories of the categorical columns by name or index; all other columns are numeric. */
  readonly categories?: Readonly<Record<string, readonly string[]>>;
  readonly oneHotDropFirst?: boolean;
  /** Texts read as missing, compared after trimming. Default `DEFAULT_MISSING_TOKENS`. */
  readonly missingTokens?: readonly string[];
  /**
   * `refuse` (default: the error comes once the file is read, with the count of rows affected),
   * `drop`, or a constant fill; means and medians need a first pass, use `loadCsv`.
   */
  readonly missing?: 'refuse' | 'drop' | { readonly impute: 'constant'; readonly value: number; readonly missingLabel?: MissingLabelPolicy };
  /** Called once the whole file is read with what the missing-value policy did. */
  readonly onMissingValues?: (report: MissingValueReport) => void;
  /** Statistics to apply (e.g. fitted on a training sample of the file). */
  readonly standardization?: Standardization;
}

/**
 * Yields batches of `[≤ batchSize, features]` / `[≤ batchSize, 1]` tensors while reading the file.
 * The caller disposes each batch. An error in the file surfaces when its row is reached, after the
 * batches before it have been yielded; a refused missing value stops the batches at its row and
 * surfaces once the rest of the file is counted.
 */
export async function* streamCsvBatches(file: string, options: CsvStreamOptions): AsyncGenerator<Batch> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `batchSize must be a positive integer, got ${options.batchSize}`, { file });
  }
  const delimiter = delimiterOf(file, options);
  const tokens = options.missingTokens ?? DEFAULT_MISSING_TOKENS;
  const missing = new Set(tokens);
  const policy = options.missing ?? 'refuse';
  const refuseLabels = typeof policy === 'object' && (policy.missingLabel ?? 'refuse') === 'refuse';
  const counts = { rows: 0, droppedRows: 0, imputedRows: 0, imputedCells: 0 };
  let refused: { first: MissingCell; what: 'value' | 'label'; rows: number } | undefined;
  let plans: ColumnPlan[] | undefined;
  let labelIndex = 0;
  let width = 0;
  let columns = 0;
  let names: string[] | null = null;
  let rows: { x: Float32Array; y: number }[] = [];
  let index = 0;
  for await (const { record, info } of csvRecords(file, options)) {
    if (plans === undefined) {
      checkDelimiter(file, record, info.lines, delimiter);
      columns = record.length;
      names = options.header === false ? null : record.map((n) => n.trim());
      labelIndex = resolveColumn(options.label, names, columns, file);
      plans = (options.features ?? [...Array(columns).keys()].filter((i) => i !== labelIndex)).map((ref) => {
        const source = resolveColumn(ref, names, columns, file);
        const name = names?.[source] ?? String(source);
        const categories = options.categories?.[name] ?? options.categories?.[String(source)];
        const fill = typeof policy === 'string' ? {} : { fill: policy.value };
        return categories === undefined
          ? { source, name, type: 'number' as const, ...fill }
          : { source, name, type: 'category' as const, categories, dropFirst: options.oneHotDropFirst === true, ...fill };
      });
      width = plans.reduce((sum, p) => sum + widthOf(p), 0);
      if (options.standardization !== undefined && options.standardization.mean.length !== width) {
        throw new DatasetError(DatasetErrorCode.INCONSISTENT, `standardisation has ${options.standardization.mean.length} means for ${width} features`, { file });
      }
      if (names !== null) continue;
    }
    checkWidth(file, record, info.lines, columns, delimiter);
    counts.rows++;
    const labelText = (record[labelIndex] ?? '').trim();
    const labelMissing = missing.has(labelText);
    const gaps = missingPositions(record, plans.map((p) => p.source), missing);
    const refuse = policy === 'refuse' ? labelMissing || gaps.length > 0 : labelMissing && refuseLabels;
    if (refuse) {
      const what = policy === 'refuse' ? 'value' : 'label';
      const column = labelMissing ? labelIndex : (plans[gaps[0] ?? 0]?.source ?? 0);
      refused ??= { first: { file, line: info.lines, column: names?.[column] ?? column, text: record[column] ?? '' }, what, rows: 0 };
      refused.rows++;
      continue;
    }
    // After a refusal the rest of the file is only counted.
    if (refused !== undefined) continue;
    if (labelMissing || (policy === 'drop' && gaps.length > 0)) {
      counts.droppedRows++;
      continue;
    }
    const y = parseNumber(labelText);
    if (!Number.isFinite(y)) throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `label ${JSON.stringify(labelText)} is not a number`, { file, row: info.lines, column: options.label });
    const x = new Float32Array(width);
    encodeRow(plans, record, x, { file, line: info.lines, missing });
    if (gaps.length > 0) {
      counts.imputedRows++;
      counts.imputedCells += gaps.length;
    }
    rows.push({ x, y });
    if (rows.length === options.batchSize) {
      yield toBatch(rows, width, index, options.standardization);
      index += rows.length;
      rows = [];
    }
  }
  if (refused !== undefined) throw missingValueRefusal(refused.first, refused.rows, counts.rows, refused.what);
  options.onMissingValues?.({ policy, tokens, ...counts });
  if (rows.length > 0) yield toBatch(rows, width, index, options.standardization);
}

function toBatch(rows: readonly { x: Float32Array; y: number }[], width: number, start: number, stats: Standardization | undefined): Batch {
  const x = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    for (let j = 0; j < width; j++) {
      const v = row.x[j] ?? 0;
      x[r * width + j] = stats === undefined ? v : (v - (stats.mean[j] ?? 0)) / (stats.scale[j] ?? 1);
    }
  });
  return {
    xs: tf.tensor2d(x, [rows.length, width], 'float32'),
    ys: tf.tensor2d(Float32Array.from(rows, (r) => r.y), [rows.length, 1], 'float32'),
    size: rows.length,
    indices: rows.map((_, r) => start + r),
  };
}
