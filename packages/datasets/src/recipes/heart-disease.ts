/**
 * Recipe for FLamby's Fed-Heart-Disease: the four UCI Heart Disease centers with FLamby's exact
 * preprocessing, its per-center train/test split (flamby_split.csv) and per-center z-scoring with
 * that center's training statistics.
 */
import { join } from 'node:path';
import { ArrayDataset } from '../array-dataset';
import { loadCsv } from '../adapters/csv-adapter';
import { readCsvTable } from '../adapters/csv-table';
import { DatasetError, DatasetErrorCode } from '../errors';
import { fixedSplitOf, type SplitAssignment, type TrainTestSplit } from '../fixed-split';
import { fitStandardization, type Standardization, standardize } from '../standardization';
import type { Dataset } from '../dataset';
import type { MissingValueReport } from '../adapters/missing-values';

/** Center ids 0-3 and their file stems, in FLamby's numbering. */
export const HEART_DISEASE_CENTERS = ['cleveland', 'hungarian', 'switzerland', 'va'] as const;

/** Options of {@link openHeartDisease}. */
export interface HeartDiseaseOptions {
  /** Folder holding `processed.<center>.data` and `flamby_split.csv`. */
  readonly dir: string;
  /** 0 Cleveland, 1 Hungary, 2 Switzerland, 3 VA Long Beach. */
  readonly center: 0 | 1 | 2 | 3;
  /** z-score with the center's train statistics (FLamby's default). Default true. */
  readonly normalize?: boolean;
}

/** One center: its dataset, FLamby's fixed split and the statistics used. */
export interface HeartDiseaseCenter {
  readonly dataset: Dataset;
  readonly split: TrainTestSplit;
  /** The train statistics applied (absent with `normalize: false`). */
  readonly standardization?: Standardization;
  /** Rows FLamby drops for a `?` in a kept column (policy `drop`, by design of the benchmark). */
  readonly missingValues: MissingValueReport;
}

/** Columns kept, in pandas `get_dummies` order: numeric columns first, then the dummies of cp (2) and restecg (6). */
const FEATURE_COLUMNS = [0, 1, 3, 4, 5, 7, 8, 9, 2, 6];
const FEATURE_NAMES = ['age', 'sex', 'trestbps', 'chol', 'fbs', 'thalach', 'exang', 'oldpeak', 'cp=2', 'cp=3', 'cp=4', 'restecg=1', 'restecg=2'];

/**
 * Opens one center. Steps (FLamby `fed_heart_disease/dataset.py`): drop slope, ca and thal; drop rows
 * with a missing value; one-hot cp and restecg dropping the first category (13 features); binarise
 * `num` (0 → 0, 1-4 → 1); split as flamby_split.csv; z-score with the train mean and the sample
 * standard deviation (torch's `std`) plus 1e-9.
 */
export async function openHeartDisease(options: HeartDiseaseOptions): Promise<HeartDiseaseCenter> {
  const name = HEART_DISEASE_CENTERS[options.center];
  if (name === undefined) throw new DatasetError(DatasetErrorCode.INVALID_OPTION, `center must be 0, 1, 2 or 3, got ${options.center}`, { file: options.dir });
  const file = join(options.dir, `processed.${name}.data`);
  const loaded = await loadCsv(file, {
    header: false,
    label: 13,
    features: FEATURE_COLUMNS,
    task: 'regression',
    missing: 'drop',
    columnTypes: { '2': 'category', '6': 'category' },
    categories: { '2': ['1', '2', '3', '4'], '6': ['0', '1', '2'] },
    oneHotDropFirst: true,
  });
  const raw = loaded.dataset;
  const features = new Float32Array(raw.size * FEATURE_NAMES.length);
  const labels = new Float32Array(raw.size);
  for (let i = 0; i < raw.size; i++) {
    features.set(raw.features(i), i * FEATURE_NAMES.length);
    labels[i] = (raw.label(i)[0] ?? 0) > 0 ? 1 : 0;
  }
  const dataset = new ArrayDataset({
    metadata: {
      dataType: 'fed-heart-disease',
      featureShape: [FEATURE_NAMES.length],
      labelShape: [1],
      numClasses: 2,
      classNames: ['no disease', 'disease'],
      featureNames: FEATURE_NAMES,
      dtypes: { features: 'float32', labels: 'int32' },
    },
    features,
    labels,
  });
  const split = await readFlambySplit(options.dir, name, loaded.sourceLines);
  const { missingValues } = loaded;
  if (options.normalize === false) return { dataset, split, missingValues };
  const standardization = fitStandardization(dataset, split.train, { ddof: 1, epsilon: 1e-9 });
  return { dataset: standardize(dataset, standardization), split, standardization, missingValues };
}

/** Maps flamby_split.csv's rows of one center (by source line) onto the kept samples. */
async function readFlambySplit(dir: string, center: string, sourceLines: readonly number[]): Promise<TrainTestSplit> {
  const file = join(dir, 'flamby_split.csv');
  const table = await readCsvTable(file, {});
  const col = (name: string) => table.columnNames?.indexOf(name) ?? -1;
  const [centerCol, lineCol, setCol] = [col('center_name'), col('line_number_1based'), col('set')];
  if (centerCol < 0 || lineCol < 0 || setCol < 0) {
    throw new DatasetError(DatasetErrorCode.MISSING_COLUMN, 'flamby_split.csv needs center_name, line_number_1based and set', { file });
  }
  const sets = new Map<number, string>();
  table.rows.forEach((row) => {
    if (row[centerCol] === center) sets.set(Number(row[lineCol]), row[setCol] ?? '');
  });
  const assignments = sourceLines.map((line): SplitAssignment => {
    const set = sets.get(line);
    if (set === 'train' || set === 'test') return set;
    throw new DatasetError(DatasetErrorCode.INCONSISTENT, `${center} line ${line} has no train/test assignment`, { file, row: line });
  });
  if (sets.size !== sourceLines.length) {
    throw new DatasetError(DatasetErrorCode.INCONSISTENT, `${sets.size} ${center} rows in the split but ${sourceLines.length} usable rows in the data`, { file });
  }
  return fixedSplitOf(assignments, 'flamby_split.csv', { file });
}
