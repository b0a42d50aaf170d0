import fc from 'fast-check';
import { TrainingError } from '../errors';
import * as tf from '@tensorflow/tfjs';
import { buildPlan, type BuiltPlan } from '../plan/build-plan';
import { formatPlanSummary, summarizePlan } from '../plan/plan-summary';
import { buildPlanSpecCheck } from './compression.test.helper';
import type { CompressionSpec } from './compression-spec';
import {
  compressTensor,
  decompressTensor,
  emptyEncoding,
  encodeContext,
  encodeWithErrorFeedback,
  float16Codec,
  parseEncoded,
  qsgdCodec,
  randomKCodec,
  registerCompressionCodec,
  resolveCodec,
  rotate,
  serializeEncoded,
  topKCodec,
  unrotate,
  type CompressionCodec,
  type EncodedTensor,
} from './index';

function planWith(compression: CompressionSpec | undefined): BuiltPlan {
  const model = tf.sequential({ layers: [tf.layers.dense({ name: 'dense', units: 1, inputShape: [3] })] });
  try {
    return buildPlan(model, { name: 'p', loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.1 }, ...(compression !== undefined && { compression }) });
  } finally {
    model.dispose();
  }
}

const shapes = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 0, maxLength: 3 });
const tensorOf = (shape: number[]) =>
  fc.float32Array({ minLength: shape.reduce((n, d) => n * d, 1), maxLength: shape.reduce((n, d) => n * d, 1), noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 });
const tensors = shapes.chain((shape) => tensorOf(shape).map((values) => ({ shape, values })));
const seeds = fc.integer({ min: 0, max: 0xffffffff });

/** Through the wire bytes and back, as node and researcher do. */
function roundTrip(ref: { name: string; params: Record<string, number | boolean> }, values: Float32Array, shape: number[], seed: number): Float32Array {
  const bytes = compressTensor(resolveCodec(ref), values, shape, encodeContext(seed));
  return decompressTensor(bytes, { codec: ref.name, name: 't', shape });
}

const maxAbs = (values: Float32Array): number => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('compression codecs: decoders against encoders', () => {
  it('float16 keeps the shape and a relative error of at most 2^-11 (plus the subnormal step)', () => {
    fc.assert(
      fc.property(tensors, seeds, ({ shape, values }, seed) => {
        const decoded = roundTrip({ name: 'float16', params: {} }, values, shape, seed);
        expect(decoded.length).toBe(values.length);
        values.forEach((v, i) => expect(Math.abs((decoded[i] as number) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25));
      }),
    );
  });

  it.each([
    [8, false],
    [4, false],
    [8, true],
    [4, true],
  ])('qsgd %i bits (rotate %s) keeps the shape, each error below scale / levels', (bits, rotated) => {
    const levels = 2 ** (bits - 1) - 1;
    fc.assert(
      fc.property(tensors, seeds, fc.boolean(), fc.integer({ min: 0, max: 16 }), ({ shape, values }, seed, stochastic, bucketSize) => {
        const decoded = roundTrip({ name: 'qsgd', params: { bits, stochastic, rotate: rotated, bucketSize } }, values, shape, seed);
        expect(decoded.length).toBe(values.length);
        // Without rotation each bucket's scale is at most the tensor's largest magnitude; a rotation
        // keeps the L2 norm, which bounds every rotated coordinate, and the inverse keeps the error's norm.
        const bound = rotated ? Math.hypot(...values) : maxAbs(values);
        const error = rotated ? Math.hypot(...decoded.map((d, i) => d - (values[i] as number))) : maxAbs(decoded.map((d, i) => d - (values[i] as number)));
        const perValue = bound / levels;
        const allowed = rotated ? perValue * Math.sqrt(2 * Math.max(1, values.length)) : perValue;
        expect(error).toBeLessThanOrEqual(allowed * (1 + 1e-5) + 1e-3);
      }),
    );
  });

  it.each([8, 4])('stochastic qsgd %i bits is unbiased: the mean over many draws approaches the input', (bits) => {
    const values = Float32Array.from([0.013, -0.5, 0.77, 0.2, -0.09, 1, 0, 0.333]);
    const draws = 4000;
    const sums = new Float64Array(values.length);
    const resolved = resolveCodec({ name: 'qsgd', params: { bits } });
    for (let draw = 0; draw < draws; draw++) {
      const decoded = qsgdCodec.decode(qsgdCodec.encode(values, [values.length], resolved.params as never, encodeContext(draw)));
      decoded.forEach((d, i) => (sums[i] = (sums[i] as number) + d));
    }
    const step = 1 / (2 ** (bits - 1) - 1);
    values.forEach((v, i) => {
      // Per draw the error is bounded by one step, so its standard deviation is at most step / 2.
      const standardError = step / 2 / Math.sqrt(draws);
      expect(Math.abs((sums[i] as number) / draws - v)).toBeLessThan(5 * standardError);
    });
    // Deterministic rounding is biased on a value between levels: the check above can fail.
    const deterministic = resolveCodec({ name: 'qsgd', params: { bits, stochastic: false } });
    const once = qsgdCodec.decode(qsgdCodec.encode(values, [values.length], deterministic.params as never, encodeContext(1)));
    expect(Math.abs((once[0] as number) - 0.013)).toBeGreaterThan(5 * (step / 2 / Math.sqrt(draws)));
  });

  it('the random rotation is inverted exactly (up to float32 rounding) and spreads a spike', () => {
    fc.assert(
      fc.property(fc.float32Array({ minLength: 1, maxLength: 70, noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }), seeds, (values, seed) => {
        const back = unrotate(rotate(values, seed), seed, values.length);
        values.forEach((v, i) => expect(Math.abs((back[i] as number) - v)).toBeLessThanOrEqual(1e-4 * (1 + maxAbs(values))));
      }),
    );
    const spike = new Float32Array(64);
    spike[3] = 8;
    expect(maxAbs(rotate(spike, 7))).toBeCloseTo(1, 5);
  });

  it('top-k keeps exactly the k largest magnitudes and zeroes the rest', () => {
    fc.assert(
      fc.property(tensors, fc.double({ min: 0.01, max: 1, noNaN: true }), ({ shape, values }, fraction) => {
        const decoded = roundTrip({ name: 'top_k', params: { fraction } }, values, shape, 0);
        const k = Math.max(1, Math.ceil(values.length * fraction));
        const kept = [...decoded.keys()].filter((i) => decoded[i] !== 0 || values[i] === 0).length;
        expect(decoded.length).toBe(values.length);
        expect(kept).toBeGreaterThanOrEqual(Math.min(k, values.length));
        const keptMin = Math.min(...[...decoded].filter((v) => v !== 0).map(Math.abs), Infinity);
        decoded.forEach((d, i) => {
          if (d !== 0) expect(d).toBe(values[i]);
          else expect(Math.abs(values[i] as number)).toBeLessThanOrEqual(keptMin);
        });
        const nonZero = [...decoded].filter((v) => v !== 0).length;
        expect(nonZero).toBeLessThanOrEqual(k);
      }),
    );
  });

  it('random-k keeps ⌈fraction·n⌉ values exactly at indices rebuilt from the seed', () => {
    fc.assert(
      fc.property(tensors, fc.double({ min: 0.01, max: 1, noNaN: true }), seeds, ({ shape, values }, fraction, seed) => {
        const encoded = randomKCodec.encode(values, shape, { fraction }, encodeContext(seed));
        expect(encoded.indexGaps).toEqual([]);
        const decoded = randomKCodec.decode(parseEncoded(serializeEncoded(encoded)));
        expect(encoded.kept).toBe(Math.max(1, Math.ceil(values.length * fraction)));
        let same = 0;
        decoded.forEach((d, i) => {
          if (d === values[i]) same += 1;
          else expect(d).toBe(0);
        });
        expect(same).toBeGreaterThanOrEqual(encoded.kept);
      }),
    );
  });

  it.each([
    ['top_k', { fraction: 0.05 }],
    ['random_k', { fraction: 0.05 }],
    ['qsgd', { bits: 4 }],
  ] as const)('error feedback (%s) accumulates the residual: the sum of decoded updates tracks the true sum', (name, params) => {
    const resolved = resolveCodec({ name, params });
    const n = 200;
    const truth = new Float64Array(n);
    const sent = new Float64Array(n);
    let residual: Float32Array | undefined;
    const gaps: number[] = [];
    const withoutFeedback = new Float64Array(n);
    let invariantGap = 0;
    for (let round = 0; round < 300; round++) {
      const update = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + round * 0.01) * (1 + (i % 7)) * 0.01);
      const step = encodeWithErrorFeedback(resolved, update, [n], residual, encodeContext(round));
      residual = step.residual;
      const decoded = resolved.codec.decode(step.encoded);
      const plain = resolved.codec.decode(resolved.codec.encode(update, [n], resolved.params, encodeContext(round)));
      update.forEach((u, i) => {
        truth[i] = (truth[i] as number) + u;
        sent[i] = (sent[i] as number) + (decoded[i] as number);
        withoutFeedback[i] = (withoutFeedback[i] as number) + (plain[i] as number);
        // The invariant: sent + residual = truth (all rounds together).
        invariantGap = Math.max(invariantGap, Math.abs((sent[i] as number) + (residual![i] as number) - (truth[i] as number)));
      });
      gaps.push(Math.hypot(...truth.map((t, i) => t - (sent[i] as number))) / Math.hypot(...truth));
    }
    expect(invariantGap).toBeLessThan(1e-3);
    // The relative gap between what was sent and the truth shrinks as rounds accumulate.
    expect(gaps[gaps.length - 1]!).toBeLessThan(0.2);
    expect(gaps[gaps.length - 1]!).toBeLessThan(gaps[9]!);
    if (name === 'top_k') {
      const lost = Math.hypot(...truth.map((t, i) => t - (withoutFeedback[i] as number))) / Math.hypot(...truth);
      expect(lost).toBeGreaterThan(0.5);
    }
  });
});

describe('compression codecs: malformed payloads', () => {
  const valid = (codec: CompressionCodec<never>, params: unknown, values = Float32Array.from([1, -2, 3, 0.5])): EncodedTensor =>
    codec.encode(values, [values.length], params as never, encodeContext(5));
  const refused = (encoded: EncodedTensor, codec: CompressionCodec<never>, pattern: RegExp): void => {
    expect(() => codec.decode(encoded)).toThrow(TrainingError);
    expect(() => codec.decode(encoded)).toThrow(pattern);
  };

  it('refuses codes of the wrong length', () => {
    refused({ ...valid(float16Codec as never, {}), codes: Buffer.alloc(7) }, float16Codec as never, /7 bytes of codes for 4 values \(expected 8\)/);
    const q = valid(qsgdCodec as never, { bits: 8, bucketSize: 0, stochastic: true, rotate: false });
    refused({ ...q, codes: q.codes.subarray(1) }, qsgdCodec as never, /3 bytes of codes for 4 values of 8 bits/);
    const t = valid(topKCodec as never, { fraction: 0.5 });
    refused({ ...t, codes: Buffer.concat([t.codes, Buffer.alloc(4)]) }, topKCodec as never, /12 bytes of values for 2 kept indices/);
  });

  it('refuses a NaN, infinite or negative scale and a missing one', () => {
    const q = valid(qsgdCodec as never, { bits: 4, bucketSize: 2, stochastic: false, rotate: false });
    refused({ ...q, scales: [NaN, 1] }, qsgdCodec as never, /scale 0 is NaN/);
    refused({ ...q, scales: [1, Infinity] }, qsgdCodec as never, /scale 1 is Infinity/);
    refused({ ...q, scales: [1, -1] }, qsgdCodec as never, /scale 1 is -1/);
    refused({ ...q, scales: [1] }, qsgdCodec as never, /1 scales for 2 buckets/);
    refused({ ...q, bits: 3 }, qsgdCodec as never, /bits is 3/);
  });

  it('refuses out-of-range, repeated or miscounted indices and a NaN kept value', () => {
    const t = valid(topKCodec as never, { fraction: 0.5 });
    refused({ ...t, indexGaps: [1, 9] }, topKCodec as never, /kept index 10 is out of range for 4 values/);
    refused({ ...t, indexGaps: [1, 0] }, topKCodec as never, /index gap 1 is 0/);
    refused({ ...t, kept: 3 }, topKCodec as never, /kept is 3 but 2 indices/);
    const nan = Buffer.from(t.codes);
    nan.writeFloatLE(NaN, 0);
    refused({ ...t, codes: nan }, topKCodec as never, /kept value 0 is NaN/);
    const r = valid(randomKCodec as never, { fraction: 0.5 });
    refused({ ...r, kept: 5 }, randomKCodec as never, /kept is 5, more than the 4 values/);
    refused({ ...r, seed: '-1' }, randomKCodec as never, /seed "-1" is not a uint32/);
  });

  it('refuses bytes that are no message, another codec or another shape, naming the tensor', () => {
    const bytes = serializeEncoded(valid(float16Codec as never, {}));
    expect(() => decompressTensor(Uint8Array.from([0xff, 0xff, 0xff]), { codec: 'float16', name: 'dense/kernel', shape: [4] })).toThrow(/tensor "dense\/kernel": .*not a CompressedTensor/);
    expect(() => decompressTensor(bytes, { codec: 'qsgd', name: 'dense/kernel', shape: [4] })).toThrow(/tensor "dense\/kernel" was encoded with "float16"/);
    expect(() => decompressTensor(bytes, { codec: 'float16', name: 'dense/kernel', shape: [2, 2] })).toThrow(/has shape \[4\], expected \[2, 2\]/);
    expect(() => float16Codec.decode({ ...emptyEncoding('float16', [2, -1]) })).toThrow(/dimension that is not a non-negative integer/);
  });
});

describe('compression registry and plan spec', () => {
  it('a user codec can be registered and named in a plan; a taken or unknown name is refused', () => {
    const negate: CompressionCodec<Record<string, never>> = {
      name: 'lab_identity_codec',
      kind: 'quantiser',
      params: float16Codec.params,
      encode: (values, shape) => ({ ...emptyEncoding('lab_identity_codec', shape), codes: Buffer.from(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) }),
      decode: (encoded) => new Float32Array(encoded.codes.buffer.slice(encoded.codes.byteOffset, encoded.codes.byteOffset + encoded.codes.length)),
    };
    expect(buildPlanSpecCheck({ up: { name: 'lab_identity_codec', params: {} } })).toMatch(/not registered; known: .*qsgd/);
    registerCompressionCodec(negate);
    expect(buildPlanSpecCheck({ up: { name: 'lab_identity_codec', params: {} } })).toBe('ok');
    expect(roundTrip({ name: 'lab_identity_codec', params: {} }, Float32Array.from([1.5, -2]), [2], 0)).toEqual(Float32Array.from([1.5, -2]));
    expect(() => registerCompressionCodec(negate)).toThrow(/already registered/);
  });

  it('the plan summary an operator approves names the codecs and the error feedback', () => {
    const summary = formatPlanSummary(summarizePlan(planWith({ up: { name: 'top_k', params: { fraction: 0.1 } }, down: { name: 'float16', params: {} } }).spec));
    expect(summary).toContain('Compression:\n  updates sent to the researcher: top_k {"fraction":0.1} (delta new − global, with error feedback kept on this node)\n  global model received: float16');
    const plain = planWith(undefined);
    expect(formatPlanSummary(summarizePlan(plain.spec))).not.toContain('Compression');
    // The codecs are part of the hash: the same model with compression is another plan to approve.
    expect(planWith({ up: { name: 'qsgd', params: { bits: 8 } } }).plan.sha256).not.toBe(plain.plan.sha256);
    expect(planWith({ up: { name: 'qsgd', params: { bits: 4 } } }).plan.sha256).not.toBe(planWith({ up: { name: 'qsgd', params: { bits: 8 } } }).plan.sha256);
  });

  it('a plan refuses a sparsifier on the way down and bad codec parameters', () => {
    expect(buildPlanSpecCheck({ down: { name: 'top_k', params: { fraction: 0.1 } } })).toMatch(/sparsifier; the global model goes down whole/);
    expect(buildPlanSpecCheck({ up: { name: 'qsgd', params: { bits: 5 } } })).toMatch(/up\.params\.bits/);
    expect(buildPlanSpecCheck({ up: { name: 'top_k', params: { fraction: 0 } } })).toMatch(/up\.params\.fraction/);
  });
});
