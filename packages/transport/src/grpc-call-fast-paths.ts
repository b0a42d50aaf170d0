import { frameInPlace, GRPC_PREFIX_BYTES } from './in-place-framing';
import { PooledStreamDecoder } from './pooled-stream-decoder';

/** Which of the fast paths were put on one call's grpc-js objects (see {@link fastenServerCall}, {@link fastenClientCall}). */
export interface CallFastPaths {
  /** Incoming messages assembled in pooled buffers ({@link PooledStreamDecoder}). */
  pooledDecoder: boolean;
  /** Outgoing messages serialized with headroom (`reserveHeadroom`) framed where they lie, without a copy. */
  inPlaceFraming: boolean;
}

/** grpc-js's decoder, as far as swapping it needs (private API). */
interface GrpcDecoder {
  readState?: number;
  maxReadMessageLength?: number;
  write(data: Buffer): Buffer[];
}

type Serialize = (value: unknown) => Buffer;
type WriteMessage = (message: Buffer, compress: boolean) => Promise<Buffer>;

/** grpc-js's `StreamDecoder` state between two messages (`ReadState.NO_DATA`). */
const DECODER_IDLE = 0;

/**
 * Puts the bulk-transfer fast paths on the grpc-js objects of ONE server call, a session of ours:
 * its decoder becomes a {@link PooledStreamDecoder} (grpc-js concatenates each incoming message into
 * a fresh buffer), and its `serializeMessage` frames a message serialized with headroom in place
 * (grpc-js copies each message behind its 5-byte prefix). Both are set on this call's own objects,
 * never on grpc-js's modules or prototypes, so no other grpc-js server or client in the process
 * sees any change. grpc-js offers no hook for either: the objects are reached through private
 * fields; where they are not found (another grpc-js layout) the call is left as it is and transfers
 * only run slower. Call it from the method handler, before the first read.
 */
export function fastenServerCall(call: object): CallFastPaths {
  const inner = (call as { call?: Record<string, unknown> }).call;
  if (inner === undefined || inner === null) return { pooledDecoder: false, inPlaceFraming: false };
  const pooledDecoder = swapDecoder(inner);
  let inPlaceFraming = false;
  const handler = inner.handler as { serialize?: Serialize } | undefined;
  if (typeof inner.serializeMessage === 'function' && typeof handler?.serialize === 'function') {
    const serialize = handler.serialize;
    inner.serializeMessage = (value: unknown): Buffer => {
      const message = serialize(value);
      return frameInPlace(message) ?? frameByCopy(message);
    };
    inPlaceFraming = true;
  }
  return { pooledDecoder, inPlaceFraming };
}

/** The grpc-js objects under a client call (pick-first, one attempt at a time). All optional: private API. */
interface ClientCallInternals {
  call?: { call?: { filterStack?: { filters?: unknown[] }; child?: AttemptOwner } };
}
/** A retrying call (its attempts) or, with retries off, the load-balancing call itself. */
interface AttemptOwner {
  underlyingCalls?: { call?: { child?: Record<string, unknown> } }[];
  child?: Record<string, unknown>;
}

/**
 * The client half of {@link fastenServerCall}, for one session call of a node: its HTTP/2 stream's
 * decoder becomes a {@link PooledStreamDecoder} and its compression filter's identity handler
 * frames in place; both on this call's own objects only. Call it once the first message arrived
 * (the call's stream then exists); the decoder is swapped only while it sits between two messages,
 * so no byte is lost.
 */
export function fastenClientCall(call: object): CallFastPaths {
  const resolving = (call as ClientCallInternals).call?.call;
  const owner = resolving?.child;
  const attempts = owner?.underlyingCalls?.map((attempt) => attempt.call?.child) ?? [owner?.child];
  const streams = attempts.filter((stream): stream is Record<string, unknown> => typeof stream === 'object' && stream !== null);
  const pooledDecoder = streams.length > 0 && streams.map(swapDecoder).every(Boolean);
  const inPlaceFraming = (resolving?.filterStack?.filters ?? []).some(frameIdentityInPlace);
  return { pooledDecoder, inPlaceFraming };
}

function swapDecoder(owner: Record<string, unknown>): boolean {
  const decoder = owner.decoder as GrpcDecoder | undefined;
  if (decoder instanceof PooledStreamDecoder) return true;
  if (typeof decoder?.write !== 'function' || decoder.readState !== DECODER_IDLE || typeof decoder.maxReadMessageLength !== 'number') return false;
  owner.decoder = new PooledStreamDecoder(decoder.maxReadMessageLength);
  return true;
}

function frameIdentityInPlace(filter: unknown): boolean {
  const handler = (filter as { sendCompression?: Record<string, unknown> } | null)?.sendCompression;
  // Only grpc-js's identity handler frames without compressing; any other handler is left alone.
  if (handler?.constructor?.name !== 'IdentityHandler' || typeof handler.writeMessage !== 'function') return false;
  if (Object.hasOwn(handler, 'writeMessage')) return true;
  const original = (handler.writeMessage as WriteMessage).bind(handler);
  handler.writeMessage = (message: Buffer, compress: boolean): Promise<Buffer> => {
    const framed = frameInPlace(message);
    return framed ? Promise.resolve(framed) : original(message, compress);
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
