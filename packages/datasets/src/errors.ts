/**
 * The one error class of `@fedbiomed/datasets`, with a closed set of codes.
 */

/** Every way a dataset can fail to open, validate or batch. */
export const DatasetErrorCode = {
  /** The file or folder does not exist or cannot be read. */
  FILE_UNREADABLE: 'FILE_UNREADABLE',
  /** The CSV text is malformed (unclosed quote, bad quoting). */
  CSV_PARSE: 'CSV_PARSE',
  /** Every row has one field while another delimiter occurs in it: the delimiter is wrong. */
  WRONG_DELIMITER: 'WRONG_DELIMITER',
  /** A row has a different number of fields than the header or first row. */
  RAGGED_ROW: 'RAGGED_ROW',
  /** A value in a numeric column is not a number. */
  NON_NUMERIC: 'NON_NUMERIC',
  /** A named or indexed column does not exist. */
  MISSING_COLUMN: 'MISSING_COLUMN',
  /** A value is missing and the policy is to reject missing values. */
  MISSING_VALUE: 'MISSING_VALUE',
  /** A value is outside what its column may hold (a negative survival time, an event code other than 0/1, an unknown split name). */
  INVALID_VALUE: 'INVALID_VALUE',
  /** No sample is left (empty file, folder or all rows dropped). */
  EMPTY_DATASET: 'EMPTY_DATASET',
  /** An image cannot be decoded. */
  IMAGE_DECODE: 'IMAGE_DECODE',
  /** Images of one folder differ in size or channels and no resize was asked. */
  IMAGE_SIZE_MISMATCH: 'IMAGE_SIZE_MISMATCH',
  /** A gzip stream or archive is truncated or corrupt. */
  CORRUPT_ARCHIVE: 'CORRUPT_ARCHIVE',
  /** An IDX file has a wrong magic number or a size that does not match its header. */
  IDX_FORMAT: 'IDX_FORMAT',
  /** A NIfTI file is not NIfTI, is truncated or has an unsupported data type. */
  NIFTI_FORMAT: 'NIFTI_FORMAT',
  /** Two parts of one dataset disagree (image and label counts, a subject without a modality). */
  INCONSISTENT: 'INCONSISTENT',
  /** An option is invalid (ratio out of range, unknown column type, ...). */
  INVALID_OPTION: 'INVALID_OPTION',
  /** No adapter is registered for the requested dataset type. */
  UNKNOWN_ADAPTER: 'UNKNOWN_ADAPTER',
  /** A sample index is outside the dataset. */
  INDEX_OUT_OF_RANGE: 'INDEX_OUT_OF_RANGE',
} as const;

/** One of {@link DatasetErrorCode}. */
export type DatasetErrorCode = (typeof DatasetErrorCode)[keyof typeof DatasetErrorCode];

/** Where in the input an error lies; every field present is named in the message. */
export interface DatasetErrorLocation {
  readonly file?: string;
  /** 1-based line (CSV) or record number. */
  readonly row?: number;
  /** Column name, or index when the file has no header. */
  readonly column?: string | number;
  /** Image or volume file at fault. */
  readonly image?: string;
}

/**
 * Thrown by every adapter, recipe and helper of this package. The message names the file, row,
 * column or image at fault; the same facts are on `location` for programs.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    readonly code: DatasetErrorCode,
    detail: string,
    readonly location: DatasetErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}${describeLocation(location)}`, options);
  }
}

function describeLocation(location: DatasetErrorLocation): string {
  const parts: string[] = [];
  if (location.file !== undefined) parts.push(`file ${location.file}`);
  if (location.row !== undefined) parts.push(`row ${location.row}`);
  if (location.column !== undefined) parts.push(`column ${JSON.stringify(location.column)}`);
  if (location.image !== undefined) parts.push(`image ${location.image}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
