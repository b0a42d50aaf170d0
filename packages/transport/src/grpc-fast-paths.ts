import path from 'node:path';
import { frameInPlace, GRPC_PREFIX_BYTES } from './in-place-framing';
import { PooledStreamDecoder } from './pooled-stream-decoder';

/** Which of {@link installGrpcFastPaths}' replacements are in place. */
export interface GrpcFastPaths {
  /** Incoming messages assembled in pooled buffers ({@link PooledStreamDecoder}). */
  pooledDecoder: boolean;
  /** Outgoing messages serialized with headroom framed without a copy, by the server and by the client. */
  serverInPlaceFraming: boolean;
  clientInPlaceFraming: boolean;
}

type Serialize = (value: unknown) => Buffer;
type WriteMessage = (message: Buffer, compress: boolean) => Promise<Buffer>;

let installed: GrpcFastPaths | undefined;

/**
 * Replaces, once per process, three steps grpc-js takes for every message, which together cost more
 * CPU than the rest of a bulk tensor transfer (docs/benchmarks/transport.md):
 * - its decoder concatenates each incoming message into a fresh buffer: {@link PooledStreamDecoder}
 *   reuses pooled ones instead;
 * - the server (`BaseServerInterceptingCall.serializeMessage`) and the client (the identity
 *   `writeMessage` of its compression filter) copy each serialized message behind its 5-byte prefix:
 *   a message serialized with headroom (`reserveHeadroom`) is framed in place instead; any other
 *   message is framed by copy, as grpc-js does.
 *
 * grpc-js has no hooks for these, so its internal modules are patched; each replacement keeps grpc-js's
 * observable behaviour (same bytes, same errors) and is tested against a real grpc-js. Where a module
 * or method is not found (another grpc-js layout), that step is left alone and transfers only run slower.
 */
export function installGrpcFastPaths(): GrpcFastPaths {
  installed ??= {
    pooledDecoder: attempt(installPooledDecoder),
    serverInPlaceFraming: attempt(installServerFraming),
    clientInPlaceFraming: attempt(installClientFraming),
  };
  return installed;
}

function attempt(install: () => boolean): boolean {
  try {
    return install();
  } catch {
    return false;
  }
}

/** A grpc-js internal module, loaded with plain require: the instance grpc-js itself uses (also under a test runner's registry). */
function grpcModule(name: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(path.dirname(require.resolve('@grpc/grpc-js')), `${name}.js`)) as Record<string, unknown>;
}

function installPooledDecoder(): boolean {
  const decoderModule = grpcModule('stream-decoder');
  if (typeof decoderModule.StreamDecoder !== 'function') return false;
  decoderModule.StreamDecoder = PooledStreamDecoder;
  return true;
}

function installServerFraming(): boolean {
  const prototype = (grpcModule('server-interceptors').BaseServerInterceptingCall as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  if (typeof prototype?.serializeMessage !== 'function') return false;
  prototype.serializeMessage = function serializeMessage(this: { handler: { serialize: Serialize } }, value: unknown): Buffer {
    const message = this.handler.serialize(value);
    return frameInPlace(message) ?? frameByCopy(message);
  };
  return true;
}

function installClientFraming(): boolean {
  const { CompressionFilter } = grpcModule('compression-filter') as { CompressionFilter?: new (options: object, shared: object) => { sendCompression?: object } };
  if (typeof CompressionFilter !== 'function') return false;
  // The identity handler's class is not exported: reach its prototype through a filter's default handler.
  const identity = new CompressionFilter({}, {}).sendCompression;
  const prototype = identity && (Object.getPrototypeOf(identity) as Record<string, unknown>);
  if (!prototype || !Object.hasOwn(prototype, 'writeMessage') || typeof prototype.writeMessage !== 'function') return false;
  const original = prototype.writeMessage as WriteMessage;
  prototype.writeMessage = function writeMessage(this: unknown, message: Buffer, compress: boolean): Promise<Buffer> {
    const framed = frameInPlace(message);
    return framed ? Promise.resolve(framed) : original.call(this, message, compress);
  };
  return true;
}

/** grpc-js's own framing: a new buffer with the uncompressed prefix, then the message. */
function frameByCopy(message: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + message.byteLength);
  framed[0] = 0;
  framed.writeUInt32BE(message.byteLength, 1);
  message.copy(framed, GRPC_PREFIX_BYTES);
  return framed;
}
