import type { TensorSet__Output } from '@fedbiomed/proto';
import type { WeightTensor } from '@fedbiomed/training';
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
