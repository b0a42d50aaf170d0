import type { TensorSet__Output } from '@fedbiomed/proto';
import { decompressWeights, type CompressedWeight, type WeightTensor } from '@fedbiomed/training';
import { asFloat32Array, float32Tensor, packTensors, type Tensor, type TensorPayload } from '@fedbiomed/transport';
import { NodeError } from '../errors';

/** The float32 tensors of a set announced by the request; `what` names the field in errors. */
export function receivedWeights(
  tensors: ReadonlyMap<string, readonly Tensor[]>,
  set: TensorSet__Output | null | undefined,
  what: string,
): WeightTensor[] {
  if (!set || set.transferId === '') throw new NodeError('MALFORMED_REQUEST', `the request carries no ${what}`);
  const received = tensors.get(set.transferId);
  if (!received) throw new NodeError('MALFORMED_REQUEST', `the bytes of ${what} (transfer ${set.transferId}) did not arrive`);
  return received.map((tensor) => {
    if (tensor.dtype !== 'DTYPE_FLOAT32') {
      throw new NodeError('MALFORMED_REQUEST', `${what}: tensor "${tensor.name}" is ${tensor.dtype}; weights must be DTYPE_FLOAT32`);
    }
    return { name: tensor.name, shape: [...tensor.shape], values: asFloat32Array(tensor) };
  });
}

/**
 * The tensors of a set encoded by `codec` (the plan's `compression.down`), decoded to float32 in the
 * plan's manifest order and shapes; a payload of another dtype, codec, name or shape is refused.
 */
export function receivedCompressedWeights(
  tensors: ReadonlyMap<string, readonly Tensor[]>,
  set: TensorSet__Output | null | undefined,
  codec: string,
  manifest: readonly { readonly name: string; readonly shape: readonly number[] }[],
  what: string,
): WeightTensor[] {
  if (!set || set.transferId === '') throw new NodeError('MALFORMED_REQUEST', `the request carries no ${what}`);
  const received = tensors.get(set.transferId);
  if (!received) throw new NodeError('MALFORMED_REQUEST', `the bytes of ${what} (transfer ${set.transferId}) did not arrive`);
  const compressed = received.map((tensor) => {
    if (tensor.dtype !== 'DTYPE_UINT8') {
      throw new NodeError('MALFORMED_REQUEST', `${what}: tensor "${tensor.name}" is ${tensor.dtype}; the plan compresses them with "${codec}" (DTYPE_UINT8)`);
    }
    return { name: tensor.name, bytes: tensor.data };
  });
  try {
    return decompressWeights(codec, compressed, manifest, what);
  } catch (error) {
    throw new NodeError('MALFORMED_REQUEST', (error as Error).message);
  }
}

/** Packs compressed tensors, each as the DTYPE_UINT8 bytes of its `CompressedTensor` message. */
export function packCompressed(compressed: readonly CompressedWeight[]): TensorPayload {
  return packTensors(compressed.map((c) => ({ name: c.name, dtype: 'DTYPE_UINT8', shape: [c.bytes.length], data: c.bytes })));
}

/** A set's tensors concatenated into one flat array (strategy state travels flat). */
export function receivedFlat(tensors: ReadonlyMap<string, readonly Tensor[]>, set: TensorSet__Output, what: string): Float32Array {
  const parts = receivedWeights(tensors, set, what);
  const flat = new Float32Array(parts.reduce((n, part) => n + part.values.length, 0));
  let offset = 0;
  for (const part of parts) {
    flat.set(part.values, offset);
    offset += part.values.length;
  }
  return flat;
}

/** Packs weights for a reply, in their manifest order. */
export function packWeights(weights: readonly WeightTensor[]): TensorPayload {
  return packTensors(weights.map((w) => float32Tensor(w.name, w.shape, w.values)));
}

/** Packs one flat array as a one-tensor set named `name`. */
export function packFlat(name: string, values: Float32Array): TensorPayload {
  return packTensors([float32Tensor(name, [values.length], values)]);
}
