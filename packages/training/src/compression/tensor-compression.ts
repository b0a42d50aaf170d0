import { createSeededRng } from '@fedbiomed/strategy';
import { malformed, type EncodeContext, type EncodedTensor } from './codec';
import type { ResolvedCodec } from './compression-spec';
import { compressionCodec } from './registry';
import { parseEncoded, serializeEncoded } from './wire';

/** An encoding context from one uint32 seed: the shared seed itself and a stream derived from it. */
export function encodeContext(seed: number): EncodeContext {
  return { seed: seed >>> 0, rng: createSeededRng((seed ^ 0x9e3779b9) >>> 0) };
}

/** Encodes one tensor's values with a resolved codec into the bytes sent on the wire. */
export function compressTensor(resolved: ResolvedCodec, values: Float32Array, shape: readonly number[], context: EncodeContext): Uint8Array {
  return serializeEncoded(resolved.codec.encode(values, shape, resolved.params, context));
}

/**
 * Decodes the wire bytes of one tensor back to float32, checking they were encoded by `codecName`
 * for exactly `shape`: a payload of another codec or shape is refused with
 * `MALFORMED_COMPRESSED_TENSOR` naming the tensor, so a strategy only ever sees exact-shaped values.
 */
export function decompressTensor(bytes: Uint8Array, expected: { readonly codec: string; readonly name: string; readonly shape: readonly number[] }): Float32Array {
  let encoded: EncodedTensor;
  try {
    encoded = parseEncoded(bytes);
  } catch (error) {
    throw malformed(expected.codec, `tensor "${expected.name}": ${(error as Error).message}`);
  }
  if (encoded.codec !== expected.codec) throw malformed(expected.codec, `tensor "${expected.name}" was encoded with "${encoded.codec}"`);
  if (encoded.shape.length !== expected.shape.length || encoded.shape.some((dim, i) => dim !== expected.shape[i])) {
    throw malformed(expected.codec, `tensor "${expected.name}" has shape [${encoded.shape.join(', ')}], expected [${expected.shape.join(', ')}]`);
  }
  return compressionCodec(expected.codec).decode(encoded);
}
