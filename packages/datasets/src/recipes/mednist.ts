/**
 * Recipe for the 12-image MedNIST sample of Fed-BioMed's tests: a tar.gz holding
 * `MedNIST/<class>/<id>.jpeg`, extracted into a folder the caller owns, then read as an image folder.
 */
import { join } from 'node:path';
import { extract } from 'tar';
import type { ArrayDataset } from '../array-dataset';
import { loadImageFolder } from '../adapters/image-folder-adapter';
import { DatasetError, DatasetErrorCode } from '../errors';

/** Options of {@link openMedNistSample}. */
export interface MedNistSampleOptions {
  /** The `MedNIST_test.tar.gz` archive. */
  readonly archive: string;
  /** An existing folder owned by the caller; the archive is extracted into it (never beside the archive). */
  readonly extractTo: string;
  /** Resize to `[height, width]`; the sample's images are 64×64 already. */
  readonly size?: readonly [number, number];
}

/** Extracts the archive and opens its `MedNIST` folder as a grayscale image-folder dataset. */
export async function openMedNistSample(options: MedNistSampleOptions): Promise<ArrayDataset> {
  try {
    await extract({ file: options.archive, cwd: options.extractTo, strict: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? DatasetErrorCode.FILE_UNREADABLE : DatasetErrorCode.CORRUPT_ARCHIVE;
    throw new DatasetError(code, `cannot extract: ${(error as Error).message}`, { file: options.archive }, { cause: error });
  }
  return loadImageFolder(join(options.extractTo, 'MedNIST'), { color: 'grayscale', ...(options.size === undefined ? {} : { size: options.size }) });
}
