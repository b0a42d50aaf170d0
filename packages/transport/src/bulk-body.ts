import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { TransportError, type TransportErrorContext } from './errors';
import type { TensorPayload } from './tensor';

/** Header carrying a bulk transfer's one-time token. */
export const BULK_TOKEN_HEADER = 'fedbiomed-bulk-token';
/** Header naming the node a bulk transfer belongs to (checked against the token's node id). */
export const BULK_NODE_HEADER = 'fedbiomed-node-id';
/** Path of the bulk channel on the researcher's bulk port. */
export const BULK_PATH = '/fedbiomed/v1/bulk';
/** Node capability (in `Hello.capabilities`) saying the node can use the bulk channel. */
export const BULK_CAPABILITY = 'bulk:v1';
/**
 * HTTP/2 flow-control window of bulk streams and sessions (64 MiB): with the 64 KiB default, a
 * sender waits for a window update every 64 KiB and throughput collapses.
 */
export const BULK_WINDOW_BYTES = 64 * 2 ** 20;
/** Largest HTTP/2 DATA frame (the protocol's maximum, 16 MiB - 1), for fewer frames per transfer. */
export const BULK_MAX_FRAME_BYTES = 2 ** 24 - 1;

/** Byte count of a tensor set's body: its tensors' bytes, one after the other. */
export function bodyLength(payload: TensorPayload): number {
  return payload.tensors.reduce((sum, tensor) => sum + tensor.data.byteLength, 0);
}

const digests = new WeakMap<TensorPayload, Buffer>();

/** SHA-256 of a tensor set's body, computed once per payload however many nodes receive it. */
export function bodyDigest(payload: TensorPayload): Buffer {
  let digest = digests.get(payload);
  if (!digest) {
    const hash = createHash('sha256');
    for (const tensor of payload.tensors) hash.update(tensor.data);
    digest = hash.digest();
    digests.set(payload, digest);
  }
  return digest;
}

/** Writes a tensor set's body to `stream` with backpressure, then ends it. */
export async function writeBody(stream: Writable, payload: TensorPayload): Promise<void> {
  for (const tensor of payload.tensors) {
    if (tensor.data.byteLength === 0) continue;
    if (!stream.write(tensor.data)) await drained(stream);
  }
  stream.end();
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      stream.off('drain', settle);
      stream.off('close', closed);
      stream.off('error', settle);
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve();
    };
    const closed = () => settle(new Error('the bulk stream closed while sending'));
    stream.on('drain', settle);
    stream.on('close', closed);
    stream.on('error', settle);
  });
}

/** What a body must be: its exact length and SHA-256. */
export interface ExpectedBody {
  transferId: string;
  byteLength: number;
  sha256: Uint8Array;
}

/**
 * Reads a bulk body into one buffer of the declared length, hashing it as it arrives. Rejects with
 * `TRANSFER_FAILED` (and stops reading) as soon as the stream carries more than declared, and when
 * it ends short or its SHA-256 differs; nothing of a rejected body is handed on.
 */
export function readBody(stream: Readable, expected: ExpectedBody, context: TransportErrorContext): Promise<Uint8Array> {
  const where = `bulk transfer "${expected.transferId}"`;
  return new Promise((resolve, reject) => {
    let body: Uint8Array;
    try {
      body = new Uint8Array(expected.byteLength);
    } catch (cause) {
      reject(new TransportError('TRANSFER_FAILED', `${where}: cannot allocate ${expected.byteLength} bytes`, { ...context, cause }));
      return;
    }
    const hash = createHash('sha256');
    let received = 0;
    let settled = false;
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      reject(new TransportError('TRANSFER_FAILED', `${where}: ${message}`, { ...context, cause }));
    };
    const onData = (data: Buffer) => {
      if (received + data.byteLength > expected.byteLength) {
        // The caller answers and closes the stream; reading stops here.
        stream.pause();
        fail(`the body carries more than the declared ${expected.byteLength} bytes`);
        return;
      }
      body.set(data, received);
      hash.update(data);
      received += data.byteLength;
    };
    stream.on('data', onData);
    stream.once('error', (error) => fail(`stream failed: ${String(error)}`, error));
    stream.once('close', () => fail(`the stream closed after ${received} of ${expected.byteLength} bytes`));
    stream.once('end', () => {
      if (received !== expected.byteLength) return fail(`the body has ${received} bytes, ${expected.byteLength} declared`);
      if (!hash.digest().equals(expected.sha256)) return fail('SHA-256 mismatch: the body is not the one announced');
      settled = true;
      resolve(body);
    });
  });
}
