import { StrategyError, StrategyErrorCode } from './errors';

/**
 * Float32Array → base64 of its little-endian bytes, for a strategy whose state must stay plain JSON
 * (round-trips bit-exactly, NaN payloads and signed zeros included, at 4/3 of the raw size). The
 * built-in strategies keep Float32Array leaves instead (see `StateValue`).
 */
export function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/**
 * A saved tensor back: a Float32Array leaf (copied) or, as breakpoints before Float32Array leaves
 * held them, the base64 of {@link encodeFloat32}; `expectedLength` guards against state of another model.
 */
export function decodeFloat32(encoded: unknown, field: string, expectedLength?: number): Float32Array {
  // By tag, not instanceof: a state copied by structuredClone or from another realm (a vm, jest) is still one.
  if (Object.prototype.toString.call(encoded) === '[object Float32Array]') return checkLength(Float32Array.from(encoded as Float32Array), field, expectedLength);
  if (typeof encoded !== 'string') {
    throw new StrategyError(StrategyErrorCode.INVALID_STATE, 'expected a Float32Array or a base64 string', { field });
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.byteLength % 4 !== 0) {
    throw new StrategyError(StrategyErrorCode.INVALID_STATE, `${bytes.byteLength} bytes is not a whole number of float32`, { field });
  }
  // Copy into a fresh, aligned buffer: Buffer's pool offset need not be a multiple of 4.
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  return checkLength(values, field, expectedLength);
}

function checkLength(values: Float32Array, field: string, expectedLength: number | undefined): Float32Array {
  if (expectedLength !== undefined && values.length !== expectedLength) {
    throw new StrategyError(StrategyErrorCode.INVALID_STATE, `expected ${expectedLength} values, got ${values.length}`, { field });
  }
  return values;
}
