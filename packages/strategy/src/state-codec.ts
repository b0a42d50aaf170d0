import { StrategyError, StrategyErrorCode } from './errors';

/**
 * Float32Array ↔ base64 of its little-endian bytes, so saved state round-trips bit-exactly
 * through JSON (NaN payloads and signed zeros included), at 4/3 of the raw size.
 */
export function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Inverse of {@link encodeFloat32}; `expectedLength` guards against state of another model. */
export function decodeFloat32(encoded: unknown, field: string, expectedLength?: number): Float32Array {
  if (typeof encoded !== 'string') {
    throw new StrategyError(StrategyErrorCode.INVALID_STATE, 'expected a base64 string', { field });
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.byteLength % 4 !== 0) {
    throw new StrategyError(StrategyErrorCode.INVALID_STATE, `${bytes.byteLength} bytes is not a whole number of float32`, { field });
  }
  // Copy into a fresh, aligned buffer: Buffer's pool offset need not be a multiple of 4.
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  if (expectedLength !== undefined && values.length !== expectedLength) {
    throw new StrategyError(StrategyErrorCode.INVALID_STATE, `expected ${expectedLength} values, got ${values.length}`, { field });
  }
  return values;
}
