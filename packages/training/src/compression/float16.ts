import { z } from 'zod';
import { elementCount, emptyEncoding, malformed, type CompressionCodec } from './codec';

const scratch = new DataView(new ArrayBuffer(4));

/** float32 → IEEE 754 binary16 bits, rounding to nearest even; overflow becomes ±infinity. */
export function toFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    // Subnormal half: shift the implicit bit in, then round to nearest even.
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (rest > midpoint || (rest === midpoint && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

/** IEEE 754 binary16 bits → number. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Half precision: 2 bytes a value, relative error at most 2^-11 within float16's range (|x| ≤ 65504). */
export const float16Codec: CompressionCodec<Record<string, never>> = {
  name: 'float16',
  kind: 'quantiser',
  params: z.strictObject({}),
  encode(values, shape) {
    const codes = Buffer.alloc(values.length * 2);
    for (let i = 0; i < values.length; i++) codes.writeUInt16LE(toFloat16Bits(values[i] as number), i * 2);
    return { ...emptyEncoding('float16', shape), codes };
  },
  decode(encoded) {
    const count = elementCount('float16', encoded.shape);
    if (encoded.codes.length !== count * 2) {
      throw malformed('float16', `${encoded.codes.length} bytes of codes for ${count} values (expected ${count * 2})`);
    }
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = fromFloat16Bits(encoded.codes.readUInt16LE(i * 2));
    return values;
  },
};
