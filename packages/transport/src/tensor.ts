import { randomUUID } from 'node:crypto';
import type { DType__Output, TensorHeader, TensorSet } from '@fedbiomed/proto';
import { TransportError } from './errors';
import { DEFAULT_TENSOR_INTEGRITY, TENSOR_INTEGRITIES, TensorDigester, type TensorIntegrity } from './integrity';

/** A tensor in memory: raw little-endian bytes plus the header fields describing them. */
export interface Tensor {
  name: string;
  dtype: DType__Output;
  /** Dimensions; `[]` for a scalar. */
  shape: readonly number[];
  /**
   * Raw little-endian bytes, `product(shape) * dtypeByteSize(dtype)` long. A received tensor's bytes
   * may lie in a `SharedArrayBuffer` (copied in by the transport's worker thread).
   */
  data: Uint8Array;
}

/** How {@link packTensors} describes a set of tensors. */
export interface PackTensorsOptions {
  /** Id of the set on the wire (default: a random UUID); must not be empty. */
  transferId?: string;
  /** Integrity check (default `chunk-crc32c`; see {@link TensorIntegrity}). */
  integrity?: TensorIntegrity;
}

/** A set of tensors ready to send: its `TensorSet` message (headers with digests) and the bytes. */
export interface TensorPayload {
  /** Put this message in the request or reply (e.g. `train.globalWeights`). */
  readonly set: TensorSet & { transferId: string };
  readonly tensors: readonly Tensor[];
}

const DTYPE_BYTES: Record<DType__Output, number> = {
  DTYPE_UNSPECIFIED: 0,
  DTYPE_FLOAT32: 4,
  DTYPE_FLOAT64: 8,
  DTYPE_INT32: 4,
  DTYPE_INT64: 8,
  DTYPE_UINT8: 1,
  DTYPE_BOOL: 1,
};

/** Size in bytes of one element of `dtype`; 0 for an unknown or unspecified dtype. */
export function dtypeByteSize(dtype: DType__Output | string): number {
  return DTYPE_BYTES[dtype as DType__Output] ?? 0;
}

/**
 * The byte length a header must declare: product(shape) times the dtype size, or `undefined` when
 * the dtype is unknown or the product is not a safe integer.
 */
export function expectedByteLength(dtype: DType__Output | string, shape: readonly number[]): number | undefined {
  const size = dtypeByteSize(dtype);
  if (size === 0) return undefined;
  let length = size;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) return undefined;
    length *= dim;
  }
  return Number.isSafeInteger(length) ? length : undefined;
}

/** A float32 tensor viewing `values`' memory (no copy). */
export function float32Tensor(name: string, shape: readonly number[], values: Float32Array): Tensor {
  return { name, dtype: 'DTYPE_FLOAT32', shape, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/**
 * A `Float32Array` view of a float32 tensor's bytes (no copy when the bytes are 4-byte aligned,
 * which received tensors always are; one copy otherwise).
 */
export function asFloat32Array(tensor: Tensor): Float32Array {
  if (tensor.dtype !== 'DTYPE_FLOAT32') {
    throw new TransportError('MALFORMED', `asFloat32Array: tensor "${tensor.name}" has dtype ${tensor.dtype}, not DTYPE_FLOAT32`);
  }
  const { data } = tensor;
  if (data.byteOffset % 4 === 0) return new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  return new Float32Array(data.slice().buffer);
}

/** The header of `tensor`, after checking its byte length against its shape and dtype. */
export function tensorHeader(tensor: Tensor, integrity: TensorIntegrity = DEFAULT_TENSOR_INTEGRITY): TensorHeader {
  const expected = expectedByteLength(tensor.dtype, tensor.shape);
  if (expected !== tensor.data.byteLength) {
    throw new TypeError(
      `tensorHeader: tensor "${tensor.name}" has ${tensor.data.byteLength} bytes but dtype ${tensor.dtype} ` +
        `and shape [${tensor.shape.join(', ')}] need ${expected ?? 'an invalid number of'} bytes`,
    );
  }
  return {
    name: tensor.name,
    dtype: tensor.dtype,
    shape: [...tensor.shape],
    byteLength: expected,
    ...TensorDigester.of(tensor.data, integrity),
    ...(integrity === 'chunk-crc32c' && { chunkCrc32c: true }),
  };
}

/**
 * Describes `tensors` for sending: computes each header (length and digest) once. The same payload
 * may be sent to many nodes; its bytes are never copied. A string `options` is the transfer id.
 */
export function packTensors(tensors: readonly Tensor[], options: PackTensorsOptions | string = {}): TensorPayload {
  const { transferId = randomUUID(), integrity = DEFAULT_TENSOR_INTEGRITY } = typeof options === 'string' ? { transferId: options } : options;
  if (transferId === '') throw new TypeError('packTensors: transferId must not be empty');
  if (!TENSOR_INTEGRITIES.includes(integrity)) {
    throw new TypeError(`packTensors: integrity must be one of ${TENSOR_INTEGRITIES.join(', ')}, got ${String(integrity)}`);
  }
  return { set: { transferId, tensors: tensors.map((tensor) => tensorHeader(tensor, integrity)) }, tensors };
}
