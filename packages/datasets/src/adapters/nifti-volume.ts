/**
 * Decoding one NIfTI-1/2 volume (raw or gzipped) into float32 voxels with nifti-reader-js, checking
 * that the file holds as many voxel bytes as its header announces.
 */
import { DatasetError, DatasetErrorCode } from '../errors';
import { readMaybeGzipped } from './binary-file';

/** A decoded volume: spatial dims (up to 3, trailing 1s kept) and voxels scaled by slope/intercept. */
export interface Volume {
  /** `[nx, ny, nz]` (fewer for a 2-D or 1-D volume), as the header gives them. */
  readonly dims: readonly number[];
  /**
   * Row-major over `dims` (voxel (x, y, z) at `(x·ny + y)·nz + z`, as nibabel's array indexes it),
   * so that a tensor of shape `dims` keeps neighbouring voxels neighbours; the file stores x fastest.
   */
  readonly voxels: Float32Array;
}

type Typed = { new (buffer: ArrayBuffer): ArrayLike<number> & { readonly length: number }; readonly BYTES_PER_ELEMENT: number };

/** NIfTI datatype codes this reader accepts, by the typed array that reads them. */
const VOXEL_TYPES: ReadonlyMap<number, Typed> = new Map<number, Typed>([
  [2, Uint8Array],
  [4, Int16Array],
  [8, Int32Array],
  [16, Float32Array],
  [64, Float64Array],
  [256, Int8Array],
  [512, Uint16Array],
  [768, Uint32Array],
]);

/** Reads a `.nii` or `.nii.gz` file. */
export async function readNiftiVolume(file: string): Promise<Volume> {
  // nifti-reader-js is ESM-only: load it lazily from this CommonJS package.
  const nifti = await import('nifti-reader-js');
  const bytes = await readMaybeGzipped(file);
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (!nifti.isNIFTI(data)) throw new DatasetError(DatasetErrorCode.NIFTI_FORMAT, 'not a NIfTI-1 or NIfTI-2 file (bad header size or magic)', { image: file });
  const header = nifti.readHeader(data);
  const Type = VOXEL_TYPES.get(header.datatypeCode);
  if (Type === undefined) throw new DatasetError(DatasetErrorCode.NIFTI_FORMAT, `unsupported NIfTI datatype code ${header.datatypeCode}`, { image: file });
  const rank = header.dims[0] ?? 0;
  const dims = header.dims.slice(1, 1 + Math.min(Math.max(rank, 1), 3));
  const count = header.dims.slice(1, 1 + rank).reduce((a, b) => a * b, 1);
  const needed = header.vox_offset + count * Type.BYTES_PER_ELEMENT;
  if (data.byteLength < needed) {
    throw new DatasetError(DatasetErrorCode.NIFTI_FORMAT, `truncated: ${data.byteLength} bytes where the header [${dims.join('×')}] needs ${needed}`, { image: file });
  }
  if (count !== dims.reduce((a, b) => a * b, 1)) {
    throw new DatasetError(DatasetErrorCode.NIFTI_FORMAT, `${rank}-D volumes with more than 3 dimensions are not supported`, { image: file });
  }
  if (!header.littleEndian) throw new DatasetError(DatasetErrorCode.NIFTI_FORMAT, 'big-endian NIfTI files are not supported', { image: file });
  const raw = new Type(nifti.readImage(header, data));
  // A slope of 0 means "no scaling" in the NIfTI-1 standard.
  const slope = header.scl_slope === 0 || !Number.isFinite(header.scl_slope) ? 1 : header.scl_slope;
  const inter = Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
  const [nx = 1, ny = 1, nz = 1] = dims;
  const voxels = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / (nx * ny));
    voxels[(x * ny + y) * nz + z] = (raw[i] ?? 0) * slope + inter;
  }
  return { dims, voxels };
}
