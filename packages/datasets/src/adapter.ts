/**
 * The adapter contract: one kind of source (CSV, image folder, ...) that can open and validate a
 * dataset spec. Adapters register in an {@link AdapterRegistry} like tfjs kernels in a backend.
 */
import type { MissingValueReport } from './adapters/missing-values';
import type { Dataset, DatasetMetadata } from './dataset';

/** Where a dataset is and how to read it; plain JSON, as a node stores it in its registry. */
export interface DatasetSpec<Options = unknown> {
  /** The adapter kind, e.g. `csv`, `images`, `mnist`, `medical-folder`. */
  readonly type: string;
  /** File or folder. */
  readonly path: string;
  readonly options: Options;
}

/** What {@link DatasetAdapter.validate} found. */
export interface ValidationReport {
  readonly metadata: DatasetMetadata;
  /** Facts an operator should see before registering. */
  readonly warnings: readonly string[];
  /** What the missing-value policy did, for tabular sources (rows dropped, values imputed). */
  readonly missingValues?: MissingValueReport;
}

/** One source kind. `open` parses everything and validates before returning; both throw `DatasetError`. */
export interface DatasetAdapter<Options = never> {
  readonly kind: string;
  open(spec: DatasetSpec<Options>): Promise<Dataset>;
  validate(spec: DatasetSpec<Options>): Promise<ValidationReport>;
}
