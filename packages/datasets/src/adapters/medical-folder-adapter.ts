/**
 * The medical-folder adapter (BIDS-like): one folder per subject holding one NIfTI volume per
 * modality (`<subject>/<modality>.nii[.gz]` or `<subject>/<modality>/<file>.nii[.gz]`), plus a
 * demographics CSV with one row per subject. Features stack the chosen modalities as channels.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { DatasetAdapter } from '../adapter';
import { ArrayDataset } from '../array-dataset';
import { DatasetError, DatasetErrorCode } from '../errors';
import type { DatasetTarget } from '../target';
import { categoryKey, type ColumnRef, parseNumber, resolveColumn, sortCategories } from './csv-columns';
import { DEFAULT_MISSING_TOKENS } from './missing-values';
import { readCsvTable } from './csv-table';
import { readNiftiVolume, type Volume } from './nifti-volume';
import { medicalFolderOptionsSchema, parseOptions } from './option-schemas';

/** Options of the medical-folder adapter. */
export interface MedicalFolderOptions {
  /** Modalities stacked as feature channels, in order (e.g. `['T1', 'T2']`). */
  readonly modalities: readonly string[];
  readonly demographics: {
    /** CSV file, relative to the dataset folder unless absolute. */
    readonly file: string;
    /** Column holding the subject folder name. Default 0. */
    readonly subjectColumn?: ColumnRef;
    readonly delimiter?: string;
    /** Numeric columns returned as covariates beside the volumes. */
    readonly columns?: readonly ColumnRef[];
  };
  /**
   * The target: a demographics column, or a modality (voxel-wise target: a `mask` when every voxel is
   * 0 or 1, e.g. a binary segmentation, else `values`).
   */
  readonly label: { readonly column: ColumnRef; readonly task?: 'classification' | 'regression' } | { readonly modality: string };
}

/** A loaded medical folder: the dataset plus per-subject facts. */
export interface MedicalFolderResult {
  readonly dataset: ArrayDataset;
  /** Subject folder of each sample. */
  readonly subjects: readonly string[];
  /** Selected demographic columns: names and one row of numbers per sample. */
  readonly covariateNames: readonly string[];
  readonly covariates: readonly Float32Array[];
}

const NIFTI = /\.nii(\.gz)?$/i;

async function listDir(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new DatasetError(DatasetErrorCode.FILE_UNREADABLE, (error as Error).message, { file: dir }, { cause: error });
  }
}

/** Path of one subject's modality volume, in either layout. */
async function findModality(subjectDir: string, modality: string): Promise<string> {
  const entries = await listDir(subjectDir);
  const direct = entries.find((e) => e.isFile() && NIFTI.test(e.name) && e.name.replace(NIFTI, '') === modality);
  if (direct !== undefined) return join(subjectDir, direct.name);
  if (entries.some((e) => e.isDirectory() && e.name === modality)) {
    const inner = (await listDir(join(subjectDir, modality))).filter((e) => e.isFile() && NIFTI.test(e.name));
    if (inner.length === 1 && inner[0] !== undefined) return join(subjectDir, modality, inner[0].name);
    throw new DatasetError(DatasetErrorCode.INCONSISTENT, `modality folder holds ${inner.length} NIfTI files, expected 1`, { file: join(subjectDir, modality) });
  }
  throw new DatasetError(DatasetErrorCode.INCONSISTENT, `subject has no ${JSON.stringify(modality)} volume`, { file: subjectDir });
}

function checkSameDims(volume: Volume, reference: { dims: readonly number[]; file: string }, file: string): void {
  if (volume.dims.join('×') !== reference.dims.join('×')) {
    throw new DatasetError(DatasetErrorCode.IMAGE_SIZE_MISMATCH, `volume ${volume.dims.join('×')} differs from ${reference.dims.join('×')} of ${reference.file}`, { image: file });
  }
}

/** Reads every subject listed in the demographics file that has a folder. */
export async function loadMedicalFolder(dir: string, options: MedicalFolderOptions): Promise<MedicalFolderResult> {
  if (options.modalities.length === 0) throw new DatasetError(DatasetErrorCode.INVALID_OPTION, 'at least one modality is needed', { file: dir });
  const csvFile = isAbsolute(options.demographics.file) ? options.demographics.file : join(dir, options.demographics.file);
  const table = await readCsvTable(csvFile, { delimiter: options.demographics.delimiter ?? ',' });
  const column = (ref: ColumnRef) => resolveColumn(ref, table.columnNames, table.width, csvFile);
  const subjectColumn = column(options.demographics.subjectColumn ?? 0);
  const covariateColumns = (options.demographics.columns ?? []).map(column);
  const folders = new Set((await listDir(dir)).filter((e) => e.isDirectory()).map((e) => e.name));
  const rows = table.rows.map((fields, r) => ({ fields, line: table.lines[r] ?? 0, subject: (fields[subjectColumn] ?? '').trim() })).filter((row) => folders.has(row.subject));
  if (rows.length === 0) throw new DatasetError(DatasetErrorCode.EMPTY_DATASET, 'no demographics row names a subject folder', { file: csvFile });

  const missing = new Set(DEFAULT_MISSING_TOKENS);
  const covariates = rows.map((row) =>
    Float32Array.from(covariateColumns, (c) => {
      const value = parseNumber(row.fields[c] ?? '');
      if (!Number.isFinite(value)) {
        throw new DatasetError(DatasetErrorCode.NON_NUMERIC, `covariate ${JSON.stringify(row.fields[c])} is not a number`, { file: csvFile, row: row.line, column: table.columnNames?.[c] ?? c });
      }
      return value;
    }),
  );

  let reference: { dims: readonly number[]; file: string } | undefined;
  const volumes: Float32Array[][] = [];
  const targets: Float32Array[] = [];
  for (const row of rows) {
    const channels: Float32Array[] = [];
    for (const modality of options.modalities) {
      const file = await findModality(join(dir, row.subject), modality);
      const volume = await readNiftiVolume(file);
      reference ??= { dims: volume.dims, file };
      checkSameDims(volume, reference, file);
      channels.push(volume.voxels);
    }
    volumes.push(channels);
    if ('modality' in options.label) {
      const file = await findModality(join(dir, row.subject), options.label.modality);
      const volume = await readNiftiVolume(file);
      checkSameDims(volume, reference as { dims: readonly number[]; file: string }, file);
      targets.push(volume.voxels);
    }
  }
  const dims = (reference as { dims: readonly number[] }).dims;
  const voxelCount = dims.reduce((a, b) => a * b, 1);
  const m = options.modalities.length;
  const features = new Float32Array(rows.length * voxelCount * m);
  volumes.forEach((channels, s) => channels.forEach((voxels, c) => voxels.forEach((v, i) => (features[(s * voxelCount + i) * m + c] = v))));

  let labels: Float32Array;
  let numClasses = 0;
  let classNames: string[] | undefined;
  let labelShape: number[];
  let target: DatasetTarget | undefined;
  if ('modality' in options.label) {
    labels = new Float32Array(rows.length * voxelCount);
    targets.forEach((t, s) => labels.set(t, s * voxelCount));
    labelShape = [...dims, 1];
    // A mask only when every voxel is 0 or 1; any other voxel-wise target (label maps, intensities) is values.
    target = { kind: labels.every((v) => v === 0 || v === 1) ? 'mask' : 'values', shape: labelShape };
  } else {
    const labelColumn = column(options.label.column);
    const name = table.columnNames?.[labelColumn] ?? labelColumn;
    const texts = rows.map((row) => {
      const text = (row.fields[labelColumn] ?? '').trim();
      if (missing.has(text)) throw new DatasetError(DatasetErrorCode.MISSING_VALUE, 'missing label', { file: csvFile, row: row.line, column: name });
      return text;
    });
    const numeric = texts.every((t) => Number.isFinite(parseNumber(t)));
    if (options.label.task === 'classification' || !numeric) {
      classNames = sortCategories(texts.map(categoryKey));
      numClasses = classNames.length;
      labels = Float32Array.from(texts, (t) => (classNames as string[]).indexOf(categoryKey(t)));
    } else {
      labels = Float32Array.from(texts, parseNumber);
    }
    labelShape = [1];
  }
  return {
    dataset: new ArrayDataset({
      metadata: {
        dataType: 'medical-folder',
        featureShape: [...dims, m],
        labelShape,
        numClasses,
        ...(classNames === undefined ? {} : { classNames }),
        dtypes: { features: 'float32', labels: numClasses > 0 ? 'int32' : 'float32' },
        ...(target !== undefined && { target }),
      },
      features,
      labels,
    }),
    subjects: rows.map((row) => row.subject),
    covariateNames: covariateColumns.map((c) => String(table.columnNames?.[c] ?? c)),
    covariates,
  };
}

/** The medical-folder adapter: `{ type: 'medical-folder', path: folder, options: MedicalFolderOptions }`. */
export const medicalFolderAdapter: DatasetAdapter<MedicalFolderOptions> = {
  kind: 'medical-folder',
  async open(spec) {
    return (await loadMedicalFolder(spec.path, parseOptions(medicalFolderOptionsSchema, spec.options, spec.path))).dataset;
  },
  async validate(spec) {
    return { metadata: (await loadMedicalFolder(spec.path, parseOptions(medicalFolderOptionsSchema, spec.options, spec.path))).dataset.metadata, warnings: [] };
  },
};
