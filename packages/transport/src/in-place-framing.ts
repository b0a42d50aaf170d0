/** gRPC's length prefix: a compressed flag byte and a 4-byte big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

/** Backing buffers whose first {@link GRPC_PREFIX_BYTES} bytes are reserved for the prefix. */
const withHeadroom = new WeakSet<ArrayBufferLike>();
let framedInPlace = 0;

/**
 * Reserves the first {@link GRPC_PREFIX_BYTES} bytes of `whole` (a view starting at the beginning of
 * its own ArrayBuffer) for gRPC's prefix and returns the rest, where one message is to be serialized,
 * so that {@link frameInPlace} can frame it without copying.
 */
export function reserveHeadroom(whole: Buffer): Buffer {
  if (whole.byteOffset !== 0 || whole.byteLength < GRPC_PREFIX_BYTES) throw new RangeError('reserveHeadroom: the buffer must start its ArrayBuffer and hold the prefix');
  withHeadroom.add(whole.buffer);
  return whole.subarray(GRPC_PREFIX_BYTES);
}

/**
 * The uncompressed gRPC framing of `message`, written in the room {@link reserveHeadroom} left
 * before it and sharing its memory; `undefined` for any other buffer, which the caller frames by copy.
 */
export function frameInPlace(message: Buffer): Buffer | undefined {
  if (message.byteOffset !== GRPC_PREFIX_BYTES || !withHeadroom.has(message.buffer)) return undefined;
  const framed = Buffer.from(message.buffer, 0, GRPC_PREFIX_BYTES + message.byteLength);
  framed[0] = 0;
  framed.writeUInt32BE(message.byteLength, 1);
  framedInPlace += 1;
  return framed;
}

/** How many messages {@link frameInPlace} has framed in this process (for tests and diagnostics). */
export function framedInPlaceCount(): number {
  return framedInPlace;
}
