/**
 * Column plans: how one source column becomes feature values (a number, or one-hot positions of a
 * category), a missing value replaced by the column's fill. Shared by the whole-file and streaming readers.
 */
import { DatasetError, DatasetErrorCode } from '../errors';

/** A column by header name or 0-based index. */
export type ColumnRef = string | number;

/** How a column's text is read. */
export type ColumnType = 'number' | 'category';

/** One source column as features. */
export interface ColumnPlan {
  /** Index of the column in each row. */
  readonly source: number;
  readonly name: string;
  readonly type: ColumnType;
  /** For categories: every category in order; the first is left out when `dropFirst`. */
  readonly categories?: readonly string[];
  readonly dropFirst?: boolean;
  /** Replacement for a missing value (imputation); without it, rows with a missing value are dropped or refused before encoding. */
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
  /** Missing-value tokens; a missing value is replaced by its column's `fill`. */
  readonly missing: ReadonlySet<string>;
}

/**
 * Writes one row's features into `out` (zeroed by the caller), a missing value replaced by its
 * column's fill. Throws on a non-number or an unknown category.
 */
export function encodeRow(plans: readonly ColumnPlan[], fields: readonly string[], out: Float32Array, ctx: RowContext): void {
  let position = 0;
  for (const plan of plans) {
    const raw = fields[plan.source] ?? '';
    const given = ctx.missing.has(raw.trim()) ? (plan.fill ?? raw) : raw;
    if (plan.type === 'number') {
      const value = typeof given === 'number' ? given : parseNumber(given);
      if (!Number.isFinite(value)) {
        throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `value ${JSON.stringify(given)} is not a number in a numeric column`, { file: ctx.file, row: ctx.line, column: plan.name });
      }
      out[position++] = value;
      continue;
    }
    const key = categoryKey(String(given));
    const categories = plan.categories ?? [];
    const at = categories.indexOf(key);
    if (at < 0) {
      throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `category ${JSON.stringify(given)} is not one of ${categories.join(', ')}`, { file: ctx.file, row: ctx.line, column: plan.name });
    }
    const offset = plan.dropFirst === true ? 1 : 0;
    if (at >= offset) out[position + at - offset] = 1;
    position += categories.length - offset;
  }
}
