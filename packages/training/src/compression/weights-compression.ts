import type { TrainingPlan__Output } from '@fedbiomed/proto';
import { TrainingError } from '../errors';
import type { WeightTensor } from '../weights';
import { compressionSpecSchema, type CompressionSpec, type ResolvedCodec } from './compression-spec';
import { encodeWithErrorFeedback } from './error-feedback';
import { compressTensor, decompressTensor, encodeContext } from './tensor-compression';
import { serializeEncoded } from './wire';

/** One tensor's wire bytes (a `CompressedTensor` message), named like the tensor it encodes. */
export interface CompressedWeight {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** What {@link compressWeights} returns: the bytes, and with error feedback the residuals to keep. */
export interface CompressedWeights {
  readonly compressed: CompressedWeight[];
  /** One per tensor when `residuals` were given (error feedback), in the same order. */
  readonly residuals?: Float32Array[];
}

/** Tensor `index`'s seed: distinct per tensor, so no two tensors share rotation signs or indices. */
const tensorSeed = (seed: number, index: number): number => (seed + Math.imul(index + 1, 0x9e3779b1)) >>> 0;

/**
 * Encodes each tensor with `resolved`. With `residuals` (error feedback: one per tensor, `undefined`
 * for none yet) each tensor is encoded with its residual added and the new residuals are returned.
 */
export function compressWeights(
  resolved: ResolvedCodec,
  weights: readonly WeightTensor[],
  options: { readonly seed: number; readonly residuals?: readonly (Float32Array | undefined)[] },
): CompressedWeights {
  const { residuals } = options;
  if (residuals === undefined) {
    return { compressed: weights.map((w, i) => ({ name: w.name, bytes: compressTensor(resolved, w.values, w.shape, encodeContext(tensorSeed(options.seed, i))) })) };
  }
  const encoded = weights.map((w, i) => encodeWithErrorFeedback(resolved, w.values, w.shape, residuals[i], encodeContext(tensorSeed(options.seed, i))));
  return {
    compressed: encoded.map((step, i) => ({ name: (weights[i] as WeightTensor).name, bytes: serializeEncoded(step.encoded) })),
    residuals: encoded.map((step) => step.residual),
  };
}

/**
 * Decodes received tensors against the model's manifest (names and shapes, in order): each must be
 * the `codec`'s encoding of the tensor of that name and shape, so the result has exactly the
 * manifest's shapes. `what` names the payload in errors (`MALFORMED_COMPRESSED_TENSOR`).
 */
export function decompressWeights(
  codec: string,
  received: readonly CompressedWeight[],
  manifest: readonly { readonly name: string; readonly shape: readonly number[] }[],
  what: string,
): WeightTensor[] {
  if (received.length !== manifest.length) {
    throw new TrainingError('MALFORMED_COMPRESSED_TENSOR', `${what}: ${received.length} compressed tensors for a model of ${manifest.length}`);
  }
  return manifest.map((slot, i) => {
    const tensor = received[i] as CompressedWeight;
    if (tensor.name !== slot.name) throw new TrainingError('MALFORMED_COMPRESSED_TENSOR', `${what}: tensor ${i} is "${tensor.name}", the model's is "${slot.name}"`);
    try {
      return { name: slot.name, shape: [...slot.shape], values: decompressTensor(tensor.bytes, { codec, name: slot.name, shape: slot.shape }) };
    } catch (error) {
      throw new TrainingError('MALFORMED_COMPRESSED_TENSOR', `${what}: ${(error as Error).message}`);
    }
  });
}

/**
 * The compression a plan declares, read from its canonical JSON without building the model (the
 * researcher's transport needs only this); `undefined` when it has none. A malformed field is
 * refused with `MALFORMED_PLAN`.
 */
export function planCompression(plan: Partial<Pick<TrainingPlan__Output, 'canonicalJson' | 'name'>>): CompressionSpec | undefined {
  if (!plan.canonicalJson) return undefined;
  const declared = (JSON.parse(plan.canonicalJson) as { compression?: unknown }).compression;
  if (declared === undefined) return undefined;
  const parsed = compressionSpecSchema.safeParse(declared);
  if (!parsed.success) {
    throw new TrainingError('MALFORMED_PLAN', `plan "${plan.name ?? ''}": compression: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}
