import { loadProtobufRoot, type CompressedTensor__Output } from '@fedbiomed/proto';
import type * as protobuf from 'protobufjs';
import { TrainingError } from '../errors';
import type { EncodedTensor } from './codec';

let messageType: protobuf.Type | undefined;

function compressedTensorType(): protobuf.Type {
  messageType ??= loadProtobufRoot().lookupType('fedbiomed.v1.CompressedTensor');
  return messageType;
}

/** The bytes of a `CompressedTensor` message: what travels as the DTYPE_UINT8 tensor. */
export function serializeEncoded(encoded: EncodedTensor): Uint8Array {
  const type = compressedTensorType();
  // proto3 leaves fields at their default off the wire; protobufjs writes every field it is given.
  const present = Object.fromEntries(Object.entries(encoded).filter(([, value]) => !isDefault(value)));
  return type.encode(type.fromObject(present)).finish();
}

function isDefault(value: unknown): boolean {
  return value === 0 || value === '' || value === false || (typeof value === 'object' && value !== null && 'length' in value && value.length === 0);
}

/** Parses a `CompressedTensor` message; `MALFORMED_COMPRESSED_TENSOR` when the bytes are not one. */
export function parseEncoded(bytes: Uint8Array): EncodedTensor {
  const type = compressedTensorType();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    throw new TrainingError('MALFORMED_COMPRESSED_TENSOR', `the ${bytes.length} bytes are not a CompressedTensor message (${(error as Error).message})`);
  }
  const object = type.toObject(message, { longs: Number, defaults: true, bytes: Buffer, arrays: true }) as CompressedTensor__Output;
  return { ...object, codes: Buffer.from(object.codes) };
}
