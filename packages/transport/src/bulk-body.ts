import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { TransportError, type TransportErrorContext } from './errors';
import type { TensorPayload } from './tensor';

/** Node capability (in `Hello.capabilities`) saying the node can use the bulk channel. */
export const BULK_CAPABILITY = 'bulk:v1';
/** Largest request or answer line on the bulk port. */
const MAX_LINE_BYTES = 4096;
/** Bodies are written in slices of this size, as the raw-socket baseline does, so TLS encrypts slice by slice. */
const WRITE_SLICE_BYTES = 16 * 2 ** 20;

/** What a node asks the bulk port: fetch (`GET`) or upload (`POST`) the body of a token. */
export interface BulkRequestLine {
  method: 'GET' | 'POST';
  token: string;
  /** The node the token must belong to (under mutual TLS, the client certificate decides). */
  nodeId: string;
  /** Byte count of an upload's body. */
  contentLength?: number;
}

/** The bulk port's answer: 200, or a refusal with its reason; a `GET`'s body follows a 200. */
export interface BulkAnswerLine {
  status: number;
  reason?: string;
}

/** Writes one line of JSON (a request or an answer) to the bulk connection. */
export function lineOf(message: BulkRequestLine | BulkAnswerLine): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Reads one line of JSON from a bulk connection; the bytes after it stay in the stream (for the
 * body), which is left paused. Rejects on a line over 4 KiB, bad JSON, or a stream that ends first.
 */
export function readLine(stream: Readable): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const stop = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
    };
    const onEnd = (error?: unknown) => {
      stop();
      reject(new Error(error ? `bulk connection failed: ${String(error)}` : 'bulk connection closed before its first line'));
    };
    const onData = (data: Buffer) => {
      buffered = buffered.byteLength === 0 ? data : Buffer.concat([buffered, data]);
      const newline = buffered.indexOf(10);
      if (newline < 0 && buffered.byteLength <= MAX_LINE_BYTES) return;
      stop();
      stream.pause();
      if (newline < 0 || newline > MAX_LINE_BYTES) return reject(new Error(`bulk line longer than ${MAX_LINE_BYTES} bytes`));
      if (newline + 1 < buffered.byteLength) stream.unshift(buffered.subarray(newline + 1));
      try {
        const parsed: unknown = JSON.parse(buffered.subarray(0, newline).toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
        resolve(parsed as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`bad bulk line: ${String(error)}`));
      }
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onEnd);
  });
}

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
    for (let offset = 0; offset < tensor.data.byteLength; offset += WRITE_SLICE_BYTES) {
      if (!stream.write(tensor.data.subarray(offset, offset + WRITE_SLICE_BYTES))) await drained(stream);
    }
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
    stream.resume();
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
