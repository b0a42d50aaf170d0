/**
 * Test-only NIfTI-1 writer (no maintained npm writer fits a CommonJS test): a 348-byte header, 4 bytes
 * of extension flag, then the voxels, little-endian. Not part of the package's API.
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** Writes a float32 (datatype 16) or uint8 (2) volume; `.gz` paths are gzipped. */
export function writeNifti(file: string, dims: readonly number[], voxels: ArrayLike<number>, datatype: 2 | 16 = 16): void {
  const bytesPer = datatype === 16 ? 4 : 1;
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  header.writeInt16LE(dims.length, 40);
  dims.forEach((d, i) => header.writeInt16LE(d, 42 + 2 * i));
  for (let i = dims.length; i < 7; i++) header.writeInt16LE(1, 42 + 2 * i);
  header.writeInt16LE(datatype, 70);
  header.writeInt16LE(bytesPer * 8, 72);
  for (let i = 0; i < 8; i++) header.writeFloatLE(1, 76 + 4 * i);
  header.writeFloatLE(352, 108);
  header.writeFloatLE(1, 112);
  header.write('n+1\0', 344, 'latin1');
  const data = Buffer.alloc(voxels.length * bytesPer);
  for (let i = 0; i < voxels.length; i++) {
    if (datatype === 16) data.writeFloatLE(voxels[i] ?? 0, i * 4);
    else data.writeUInt8(voxels[i] ?? 0, i);
  }
  const bytes = Buffer.concat([header, data]);
  writeFileSync(file, file.endsWith('.gz') ? gzipSync(bytes) : bytes);
}
