import { z } from 'zod';
import { elementCount, emptyEncoding, malformed, messageSeed, type CompressionCodec, type EncodedTensor } from './codec';
import { rotate, rotatedLength, unrotate } from './rotation';

/** Parameters of {@link qsgdCodec}. */
export const qsgdParamsSchema = z.strictObject({
  /** Bits per value: 8 (127 levels a sign) or 4 (7 levels a sign). */
  bits: z.union([z.literal(8), z.literal(4)]),
  /** Values sharing one scale; 0: one scale for the whole tensor. */
  bucketSize: z.number().int().min(0).default(0),
  /** Stochastic rounding (unbiased: E[decode(encode(x))] = x) or rounding to the nearest level. */
  stochastic: z.boolean().default(true),
  /** Rotate (randomised Hadamard) before quantising, inverting after decoding. */
  rotate: z.boolean().default(false),
});
/** Parameters of {@link qsgdCodec}, defaults applied. */
export type QsgdParams = z.output<typeof qsgdParamsSchema>;

const levelsOf = (bits: number): number => 2 ** (bits - 1) - 1;

/**
 * QSGD-style quantisation (Alistarh et al. 2017) with a max-magnitude scale per bucket: each value
 * becomes sign · level / s · scale, level ∈ {0..s}, s = 2^(bits−1) − 1. Stochastic rounding picks
 * the upper level with probability equal to the fractional part, so the decoded value is an
 * unbiased estimate of the input; the error of one value is below scale / s.
 */
export const qsgdCodec: CompressionCodec<QsgdParams> = {
  name: 'qsgd',
  kind: 'quantiser',
  params: qsgdParamsSchema,
  encode(values, shape, params, { rng, seed }) {
    const input = params.rotate ? rotate(values, seed) : values;
    const bucketSize = params.bucketSize === 0 ? Math.max(1, input.length) : params.bucketSize;
    const levels = levelsOf(params.bits);
    const scales: number[] = [];
    const codes = Buffer.alloc(Math.ceil((input.length * params.bits) / 8));
    for (let start = 0; start < input.length; start += bucketSize) {
      const end = Math.min(input.length, start + bucketSize);
      let scale = 0;
      for (let i = start; i < end; i++) scale = Math.max(scale, Math.abs(input[i] as number));
      scales.push(scale);
      for (let i = start; i < end; i++) {
        const value = input[i] as number;
        const position = scale === 0 ? 0 : (Math.abs(value) / scale) * levels;
        const floor = Math.floor(position);
        const level = Math.min(levels, params.stochastic ? floor + (rng.nextFloat() < position - floor ? 1 : 0) : Math.round(position));
        writeLevel(codes, i, params.bits, value < 0 ? -level : level);
      }
    }
    return {
      ...emptyEncoding('qsgd', shape),
      codes,
      scales,
      bucketSize: params.bucketSize,
      bits: params.bits,
      rotated: params.rotate,
      seed: params.rotate ? String(seed) : '',
    };
  },
  decode(encoded) {
    const count = elementCount('qsgd', encoded.shape);
    const { bits } = encoded;
    if (bits !== 8 && bits !== 4) throw malformed('qsgd', `bits is ${bits}; 8 or 4 expected`);
    const length = encoded.rotated ? rotatedLength(count) : count;
    const expectedBytes = Math.ceil((length * bits) / 8);
    if (encoded.codes.length !== expectedBytes) {
      throw malformed('qsgd', `${encoded.codes.length} bytes of codes for ${length} values of ${bits} bits (expected ${expectedBytes})`);
    }
    const bucketSize = encoded.bucketSize === 0 ? Math.max(1, length) : encoded.bucketSize;
    const buckets = Math.ceil(length / bucketSize);
    if (encoded.scales.length !== buckets) throw malformed('qsgd', `${encoded.scales.length} scales for ${buckets} buckets of ${bucketSize} values`);
    const badScale = encoded.scales.findIndex((scale) => !Number.isFinite(scale) || scale < 0);
    if (badScale >= 0) throw malformed('qsgd', `scale ${badScale} is ${encoded.scales[badScale]}; scales are finite and non-negative`);
    const levels = levelsOf(bits);
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const level = readLevel(encoded.codes, i, bits);
      if (Math.abs(level) > levels) throw malformed('qsgd', `code ${i} is level ${level}, outside ±${levels}`);
      values[i] = (level / levels) * (encoded.scales[Math.floor(i / bucketSize)] as number);
    }
    return encoded.rotated ? unrotate(values, messageSeed(encoded), count) : values;
  },
};

/** Writes a signed level: one int8 a value (8 bits), or level + 8 in a nibble, low nibble first (4 bits). */
function writeLevel(codes: Buffer, index: number, bits: number, level: number): void {
  if (bits === 8) {
    codes.writeInt8(level, index);
    return;
  }
  const byte = index >>> 1;
  const nibble = level + 8;
  codes[byte] = index % 2 === 0 ? ((codes[byte] as number) & 0xf0) | nibble : ((codes[byte] as number) & 0x0f) | (nibble << 4);
}

function readLevel(codes: EncodedTensor['codes'], index: number, bits: number): number {
  if (bits === 8) return codes.readInt8(index);
  const byte = codes[index >>> 1] as number;
  return (index % 2 === 0 ? byte & 0x0f : byte >>> 4) - 8;
}
