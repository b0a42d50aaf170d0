/**
 * Reading binary inputs (IDX, NIfTI) whole, gunzipping them when they start with the gzip magic,
 * with failures mapped to {@link DatasetError}s naming the file.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DatasetError, DatasetErrorCode } from '../errors';

/** The bytes of `file`, decompressed when gzipped. */
export async function readMaybeGzipped(file: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DatasetError(DatasetErrorCode.FILE_UNREADABLE, (error as Error).message, { file }, { cause: error });
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DatasetError(DatasetErrorCode.CORRUPT_ARCHIVE, `gzip data is truncated or corrupt: ${(error as Error).message}`, { file }, { cause: error });
  }
}
