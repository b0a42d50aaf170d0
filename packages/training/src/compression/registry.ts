import { ExtensionRegistry } from '../extension-registry';
import type { CompressionCodec } from './codec';
import { float16Codec } from './float16';
import { qsgdCodec } from './qsgd';
import { randomKCodec, topKCodec } from './sparsify';

// `any`: the registry holds codecs of every parameter type; each one parses its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCodec = CompressionCodec<any>;

const codecs = new ExtensionRegistry<AnyCodec>('compression codec', () => [float16Codec, qsgdCodec, topKCodec, randomKCodec]);

/**
 * Adds a compression codec that plans may then name (`{ name, params }` in `compression.up` or
 * `.down`). Both ends of an experiment must register it: the researcher to encode the global model
 * and decode updates, each node to decode and encode. Refuses a taken or malformed name.
 */
export function registerCompressionCodec<P>(codec: CompressionCodec<P>): void {
  codecs.register(codec as AnyCodec);
}

/** The codec registered as `name`; `UNSUPPORTED` listing the known ones when there is none. */
export function compressionCodec(name: string): AnyCodec {
  return codecs.get(name);
}

/** Whether a codec is registered as `name`. */
export function hasCompressionCodec(name: string): boolean {
  return codecs.has(name);
}

/** Every registered codec name, sorted. */
export function compressionCodecNames(): string[] {
  return codecs.names();
}
