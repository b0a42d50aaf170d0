/** The bytes of `values` as a SQLite BLOB (host byte order; a node database never changes machine endianness class). */
export function float32ToBlob(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** A BLOB written by {@link float32ToBlob}, copied into its own aligned buffer (SQLite's may be shared and unaligned). */
export function blobToFloat32(blob: Uint8Array): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}
