/**
 * Column plans: how one source column becomes feature values (a number, or one-hot positions of a
 * category), and how its missing values are handled. Shared by the whole-file and streaming readers.
 */
import { DatasetError, DatasetErrorCode } from '../errors';

/** A column by header name or 0-based index. */
export type ColumnRef = string | number;

/** How a column's text is read. */
export type ColumnType = 'number' | 'category';

/** Values read as missing unless overridden. */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', '?', 'NA', 'N/A', 'NaN', 'nan', 'null'];

/** One source column as features. */
export interface ColumnPlan {
  /** Index of the column in each row. */
  readonly source: number;
  readonly name: string;
  readonly type: ColumnType;
  /** For categories: every category in order; the first is left out when `dropFirst`. */
  readonly categories?: readonly string[];
  readonly dropFirst?: boolean;
  /** Replacement for a missing value; none means the row is dropped (or rejected). */
  readonly fill?: number | string;
}

/** Finds a column by name or index, or throws MISSING_COLUMN naming the file. */
export function resolveColumn(ref: ColumnRef, columnNames: readonly string[] | null, width: number, file: string): number {
  if (typeof ref === 'number') {
    const index = ref < 0 ? width + ref : ref;
    if (Number.isInteger(index) && index >= 0 && index < width) return index;
    throw new DatasetError(DatasetErrorCode.MISSING_COLUMN, `column index ${ref} is outside the ${width} columns`, { file, column: ref });
  }
  const index = columnNames?.indexOf(ref) ?? -1;
  if (index >= 0) return index;
  const known = columnNames === null ? 'the file has no header, so refer to columns by index' : `columns are ${columnNames.join(', ')}`;
  throw new DatasetError(DatasetErrorCode.MISSING_COLUMN, `no column named ${JSON.stringify(ref)}; ${known}`, { file, column: ref });
}

/** The number a field holds, or NaN. */
export function parseNumber(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/** A category's key: numbers are canonical (`1.0` and `1` are one category), text is trimmed. */
export function categoryKey(text: string): string {
  const n = parseNumber(text);
  return Number.isFinite(n) ? String(n) : text.trim();
}

/** Orders categories: numerically when all are numbers, else as text. */
export function sortCategories(keys: Iterable<string>): string[] {
  const all = [...new Set(keys)];
  return all.every((k) => Number.isFinite(Number(k))) ? all.sort((a, b) => Number(a) - Number(b)) : all.sort();
}

/** Number of feature positions a column occupies. */
export function widthOf(plan: ColumnPlan): number {
  return plan.type === 'number' ? 1 : (plan.categories?.length ?? 0) - (plan.dropFirst === true ? 1 : 0);
}

/** Names of the feature positions: the column name, or `name=category` for one-hot positions. */
export function featureNamesOf(plans: readonly ColumnPlan[]): string[] {
  return plans.flatMap((p) =>
    p.type === 'number' ? [p.name] : (p.categories ?? []).slice(p.dropFirst === true ? 1 : 0).map((c) => `${p.name}=${c}`),
  );
}

/** Where a row is encoded from, for error messages. */
export interface RowContext {
  readonly file: string;
  readonly line: number;
  readonly missing: ReadonlySet<string>;
  /** Throw MISSING_VALUE instead of skipping a row with a missing value and no fill. */
  readonly rejectMissing: boolean;
}

/**
 * Writes one row's features into `out` (zeroed by the caller). Returns false when a value is
 * missing without a fill (the row is to be dropped); throws on a non-number or an unknown category.
 */
export function encodeRow(plans: readonly ColumnPlan[], fields: readonly string[], out: Float32Array, ctx: RowContext): boolean {
  let position = 0;
  for (const plan of plans) {
    const raw = fields[plan.source] ?? '';
    let text: string | number | undefined = ctx.missing.has(raw.trim()) ? plan.fill : raw;
    if (text === undefined) {
      if (ctx.rejectMissing) throw new DatasetError(DatasetErrorCode.MISSING_VALUE, `missing value ${JSON.stringify(raw)}`, { file: ctx.file, row: ctx.line, column: plan.name });
      return false;
    }
    if (plan.type === 'number') {
      const value = typeof text === 'number' ? text : parseNumber(text);
      if (!Number.isFinite(value)) {
        throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `value ${JSON.stringify(raw)} is not a number in a numeric column`, { file: ctx.file, row: ctx.line, column: plan.name });
      }
      out[position++] = value;
      continue;
    }
    text = categoryKey(String(text));
    const categories = plan.categories ?? [];
    const at = categories.indexOf(text);
    if (at < 0) {
      throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `category ${JSON.stringify(raw)} is not one of ${categories.join(', ')}`, { file: ctx.file, row: ctx.line, column: plan.name });
    }
    const offset = plan.dropFirst === true ? 1 : 0;
    if (at >= offset) out[position + at - offset] = 1;
    position += categories.length - offset;
  }
  return true;
}
