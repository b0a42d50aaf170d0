/**
 * How a CSV file's label columns become each sample's label: one column (class id or value),
 * several columns (values), or a survival pair `[time, event]` checked row by row.
 */
import { DatasetError, DatasetErrorCode } from '../errors';
import type { DatasetTarget } from '../target';
import { categoryKey, type ColumnRef, type ColumnType, parseNumber, sortCategories } from './csv-columns';
import { columnName, type CsvTable, presentValues } from './csv-table';

/** The survival target's columns: time to event or censoring (≥ 0), and event (1 observed, 0 censored). */
export interface SurvivalColumns {
  readonly time: ColumnRef;
  readonly event: ColumnRef;
}

/** What the label columns are read as. */
export type LabelLayout = 'single' | 'values' | 'survival';

/** Encodes the label columns of one row. */
export interface LabelPlan {
  /** Label values per sample. */
  readonly width: number;
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  readonly target: DatasetTarget;
  /** Writes one row's label into `out`; rows with a missing label never reach here (dropped or refused before). */
  encode(fields: readonly string[], out: Float32Array, ctx: { readonly file: string; readonly line: number }): void;
}

/** What {@link planLabels} needs of the adapter's options. */
export interface LabelOptions {
  readonly layout: LabelLayout;
  readonly task?: 'classification' | 'regression';
  readonly missing: ReadonlySet<string>;
  /** The type of a column, as the adapter infers or is told. */
  readonly typeOf: (index: number) => ColumnType;
}

/** The plan of the label columns `indices` (two for survival: time, then event). */
export function planLabels(table: CsvTable, indices: readonly number[], options: LabelOptions): LabelPlan {
  const columns = indices.map((index) => String(columnName(table, index)));
  if (options.layout === 'survival') return survivalPlan(table, indices, columns);
  if (options.layout === 'values') {
    if (options.task === 'classification') {
      throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `several label columns (${columns.join(', ')}) are values; task "classification" takes one label column`, { file: table.file });
    }
    return {
      width: indices.length,
      numClasses: 0,
      target: { kind: 'values', shape: [indices.length], columns },
      encode(fields, out, ctx) {
        indices.forEach((index, k) => (out[k] = numberAt(fields, index, table, ctx, 'in a regression target')));
      },
    };
  }
  const index = indices[0] ?? 0;
  const single = singlePlan(table, index, options);
  return { ...single, width: 1, target: { kind: single.numClasses > 0 ? 'classes' : 'values', shape: [1], columns } };
}

function numberAt(fields: readonly string[], index: number, table: CsvTable, ctx: { file: string; line: number }, what: string): number {
  const text = fields[index] ?? '';
  const value = parseNumber(text);
  if (!Number.isFinite(value)) {
    throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `label ${JSON.stringify(text)} is not a number ${what}`, { file: ctx.file, row: ctx.line, column: columnName(table, index) });
  }
  return value;
}

function survivalPlan(table: CsvTable, [time = 0, event = 0]: readonly number[], columns: readonly string[]): LabelPlan {
  return {
    width: 2,
    numClasses: 0,
    target: { kind: 'survival', shape: [2], columns },
    encode(fields, out, ctx) {
      const t = numberAt(fields, time, table, ctx, 'in a survival time');
      if (t < 0) {
        throw new DatasetError(DatasetErrorCode.INVALID_VALUE, `survival time ${t} is negative; times count from the start of follow-up`, { file: ctx.file, row: ctx.line, column: columnName(table, time) });
      }
      const e = numberAt(fields, event, table, ctx, 'in a survival event');
      if (e !== 0 && e !== 1) {
        throw new DatasetError(DatasetErrorCode.INVALID_VALUE, `event code ${fields[event]?.trim()} is not 1 (event observed) or 0 (censored)`, { file: ctx.file, row: ctx.line, column: columnName(table, event) });
      }
      out[0] = t;
      out[1] = e;
    },
  };
}

function singlePlan(table: CsvTable, index: number, options: LabelOptions): Omit<LabelPlan, 'width' | 'target'> {
  const keys = sortCategories(presentValues(table, index, options.missing).map(categoryKey));
  const type = options.typeOf(index);
  const integers = type === 'number' && keys.every((k) => Number.isInteger(Number(k)));
  const classification = options.task === undefined ? type === 'category' || (integers && keys.length <= 20) : options.task === 'classification';
  if (!classification) {
    return { numClasses: 0, encode: (fields, out, ctx) => void (out[0] = numberAt(fields, index, table, ctx, 'in a regression target')) };
  }
  // Non-negative integer labels keep their value as class id; anything else is numbered in sorted order.
  const direct = integers && keys.every((k) => Number(k) >= 0 && Number(k) < 1000);
  const numClasses = direct ? Math.max(...keys.map(Number)) + 1 : keys.length;
  return {
    numClasses,
    classNames: direct ? Array.from({ length: numClasses }, (_, i) => String(i)) : keys,
    encode(fields, out, ctx) {
      const text = fields[index] ?? '';
      const key = categoryKey(text);
      const id = direct ? Number(key) : keys.indexOf(key);
      if (!(id >= 0) || !Number.isInteger(id)) {
        throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `label ${JSON.stringify(text)} is not a class id`, { file: ctx.file, row: ctx.line, column: columnName(table, index) });
      }
      out[0] = id;
    },
  };
}
