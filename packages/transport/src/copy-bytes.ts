/**
 * Copies `source` into `target` (same length) with one native memcpy. `TypedArray#set` copies into or
 * out of a SharedArrayBuffer word by word with relaxed atomics, and byte by byte when the two sides
 * are not equally aligned: ten times slower, and tensor chunks land at arbitrary offsets. Node's
 * `Buffer#fill` with a buffer value as long as the range is a plain memcpy.
 */
export function copyBytes(target: Uint8Array, source: Uint8Array): void {
  if (source.byteLength !== target.byteLength) throw new RangeError(`copyBytes: ${source.byteLength} bytes into ${target.byteLength}`);
  if (source.byteLength === 0) return;
  Buffer.from(target.buffer, target.byteOffset, target.byteLength).fill(source);
}
