import { crc32c } from '@node-rs/crc32';

const MASK_DELTA = 0xa282ead8;

/** TFRecord's masked CRC32C: rotate right by 15 and add a constant, so CRCs of CRCs stay well spread. */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Frames one record: length (u64 LE), masked CRC of the length, data, masked CRC of the data. */
export function encodeTfRecord(data: Uint8Array): Uint8Array {
  const out = Buffer.alloc(8 + 4 + data.byteLength + 4);
  out.writeBigUInt64LE(BigInt(data.byteLength), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.byteLength);
  return out;
}

/** Splits a TFRecord file into its records, checking both CRCs of each; throws naming the record at fault. */
export function decodeTfRecords(file: Uint8Array): Uint8Array[] {
  const buffer = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at < buffer.byteLength) {
    const index = records.length;
    if (at + 12 > buffer.byteLength) throw new Error(`TFRecord ${index}: truncated header at byte ${at}`);
    const length = Number(buffer.readBigUInt64LE(at));
    if (buffer.readUInt32LE(at + 8) !== maskedCrc32c(buffer.subarray(at, at + 8))) {
      throw new Error(`TFRecord ${index}: length CRC mismatch at byte ${at}`);
    }
    const start = at + 12;
    if (start + length + 4 > buffer.byteLength) throw new Error(`TFRecord ${index}: truncated data at byte ${start}`);
    const data = buffer.subarray(start, start + length);
    if (buffer.readUInt32LE(start + length) !== maskedCrc32c(data)) {
      throw new Error(`TFRecord ${index}: data CRC mismatch at byte ${start}`);
    }
    records.push(new Uint8Array(data));
    at = start + length + 4;
  }
  return records;
}
