/**
 * What an operator sees before registering a dataset: the first rows (or files), the columns with
 * their inferred types, the label balance and the missing values per column, next to what the
 * node's own validation (`inspectDataset`, as `fedbiomed node dataset add` runs it) found.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DEFAULT_MISSING_TOKENS, describeMissingValues, describeTarget, targetOf } from '@fedbiomed/datasets';
import { inspectDataset, type DatasetSource } from '@fedbiomed/node';

/** One column of a tabular preview. */
export interface ColumnPreview {
  readonly name: string;
  readonly type: 'number' | 'text';
  readonly missing: number;
  readonly isLabel: boolean;
}

/** The preview of a file or folder. */
export interface DatasetPreview {
  readonly path: string;
  readonly kind: 'table' | 'folder';
  readonly columns: readonly ColumnPreview[];
  /** First rows (table) or first files, one per row (folder). */
  readonly rows: readonly (readonly string[])[];
  readonly rowCount: number;
  /** Samples per label value (table) or per class folder (folder), largest first. */
  readonly labelBalance: readonly { readonly label: string; readonly count: number }[];
  /** A few of a folder's PNG and JPEG images, inline (data: URLs), with their class. */
  readonly images: readonly { readonly label: string; readonly file: string; readonly dataUrl: string }[];
  /** What the node's validation found, or why it refused the data. */
  readonly validation: { readonly ok: true; readonly lines: readonly string[] } | { readonly ok: false; readonly error: string };
}

/** Rows shown. */
export const PREVIEW_ROWS = 10;
/** Larger files are previewed from their first bytes only. */
const MAX_PREVIEW_BYTES = 8 * 1024 * 1024;
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.nii', '.gz', '.dcm']);
/** Images shown inline, by extension; others are listed by name only. */
const INLINE_TYPES: Readonly<Record<string, string>> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };
const INLINE_IMAGES = 6;
const MAX_INLINE_BYTES = 256 * 1024;

/** Builds the preview of `source`; a path that does not exist is reported by the validation part. */
export async function previewDataset(source: DatasetSource): Promise<DatasetPreview> {
  const path = resolve(source.path);
  const validation = await validate({ ...source, path });
  let shape: Omit<DatasetPreview, 'path' | 'validation'>;
  try {
    shape = statSync(path).isDirectory() ? previewFolder(path) : previewTable(path, source.options);
  } catch (error) {
    shape = { kind: 'table', columns: [], rows: [], rowCount: 0, labelBalance: [], images: [] };
    if (validation.ok) return { path, ...shape, validation: { ok: false, error: (error as Error).message } };
  }
  return { path, ...shape, validation };
}

async function validate(source: DatasetSource): Promise<DatasetPreview['validation']> {
  try {
    const { metadata, missingValues } = await inspectDataset(source);
    const lines = [
      `${metadata.sampleCount} samples, features of shape [${metadata.featureShape.join(', ')}] (${metadata.dtypes.features})`,
      `labels: ${describeTarget(targetOf(metadata), metadata.numClasses)}`,
      ...(missingValues !== undefined ? [describeMissingValues(missingValues)] : []),
    ];
    return { ok: true, lines };
  } catch (error) {
    return { ok: false, error: messageChain(error) };
  }
}

/** The error and its causes, as one line: adapters put the file, row and column in the cause. */
function messageChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) {
    if (!parts.some((part) => part.includes(e instanceof Error ? e.message : ''))) parts.push(e.message);
  }
  return parts.join(': ');
}

function previewTable(path: string, options: Readonly<Record<string, unknown>>): Omit<DatasetPreview, 'path' | 'validation'> {
  const size = statSync(path).size;
  const text = readFileSync(path).subarray(0, MAX_PREVIEW_BYTES).toString('utf8');
  const complete = size <= MAX_PREVIEW_BYTES ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const delimiter = typeof options['delimiter'] === 'string' ? options['delimiter'] : extname(path) === '.tsv' ? '\t' : ',';
  const skip = typeof options['skipLines'] === 'number' ? options['skipLines'] : 0;
  const records = parse(complete, { delimiter, from_line: skip + 1, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  const hasHeader = options['header'] !== false;
  const header = hasHeader ? (records.shift() ?? []) : [];
  const width = Math.max(header.length, ...records.map((row) => row.length));
  const names = Array.from({ length: width }, (_, i) => header[i] ?? `column ${i}`);
  const labelIndex = columnIndex(options['label'], names);
  const missingTokens = new Set(Array.isArray(options['missingTokens']) ? (options['missingTokens'] as string[]) : DEFAULT_MISSING_TOKENS);
  const isMissing = (value: string | undefined): boolean => value === undefined || missingTokens.has(value.trim());
  const columns = names.map((name, i): ColumnPreview => {
    const values = records.map((row) => row[i]);
    const present = values.filter((value): value is string => !isMissing(value));
    const numeric = present.filter((value) => value !== '' && Number.isFinite(Number(value))).length;
    return { name, type: present.length > 0 && numeric >= present.length / 2 ? 'number' : 'text', missing: values.length - present.length, isLabel: i === labelIndex };
  });
  const balance = new Map<string, number>();
  if (labelIndex !== undefined) for (const row of records) balance.set(row[labelIndex] ?? '', (balance.get(row[labelIndex] ?? '') ?? 0) + 1);
  return { kind: 'table', columns, rows: records.slice(0, PREVIEW_ROWS), rowCount: records.length, labelBalance: sortedCounts(balance), images: [] };
}

/** The label column of the adapter's `label` option: a name or an index. */
function columnIndex(label: unknown, names: readonly string[]): number | undefined {
  const first = Array.isArray(label) ? label[0] : label;
  if (typeof first === 'number') return first < names.length ? first : undefined;
  if (typeof first === 'string') {
    const index = names.indexOf(first);
    return index >= 0 ? index : undefined;
  }
  return undefined;
}

/** A folder of class sub-folders (images, MedNIST): files per class and the first files. */
function previewFolder(path: string): Omit<DatasetPreview, 'path' | 'validation'> {
  const entries = readdirSync(path, { withFileTypes: true });
  const classes = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const balance = new Map<string, number>();
  const rows: string[][] = [];
  const images: DatasetPreview['images'][number][] = [];
  for (const name of classes) {
    const files = readdirSync(join(path, name)).filter((file) => IMAGE_EXTENSIONS.has(extname(file).toLowerCase())).sort();
    balance.set(name, files.length);
    for (const file of files.slice(0, 2)) {
      if (rows.length < PREVIEW_ROWS) rows.push([name, file]);
      const type = INLINE_TYPES[extname(file).toLowerCase()];
      const full = join(path, name, file);
      if (type !== undefined && images.length < INLINE_IMAGES && statSync(full).size <= MAX_INLINE_BYTES) {
        images.push({ label: name, file, dataUrl: `data:${type};base64,${readFileSync(full).toString('base64')}` });
      }
    }
  }
  const columns: ColumnPreview[] = [
    { name: 'class folder', type: 'text', missing: 0, isLabel: true },
    { name: 'file', type: 'text', missing: 0, isLabel: false },
  ];
  return { kind: 'folder', columns, rows, rowCount: [...balance.values()].reduce((a, b) => a + b, 0), labelBalance: sortedCounts(balance), images };
}

function sortedCounts(counts: Map<string, number>): { label: string; count: number }[] {
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}
