import type { TensorChunk } from '@fedbiomed/proto';
import { GRPC_PREFIX_BYTES, reserveHeadroom } from './in-place-framing';
import { messageBufferPool, type MessageBufferPool } from './message-buffer-pool';
import { copyBytes } from './copy-bytes';

/** Field tags (field number << 3 | wire type) of the `chunk` field of both frame types, and of `TensorChunk`'s fields. */
const FRAME_CHUNK_TAG = (3 << 3) | 2;
const TRANSFER_ID_TAG = (1 << 3) | 2;
const TENSOR_INDEX_TAG = 2 << 3;
const OFFSET_TAG = 3 << 3;
const DATA_TAG = (4 << 3) | 2;
const CRC32C_TAG = (5 << 3) | 5;
const CRC32C_BYTES = 1 + 4;

/** The session frames (`NodeFrame`, `ResearcherFrame`): both carry tensor chunks in field 3. */
type ChunkCarrier = { chunk?: TensorChunk | null };

/** The pooled buffer each serialized chunk frame lies in, until {@link releaseChunkFrame}. */
const serialized = new WeakMap<object, { pool: MessageBufferPool; buffer: Buffer }>();

/**
 * A session frame serializer: tensor chunk frames are written by hand, in the same bytes protobufjs
 * writes (fields 1–5 in order), each into a pooled buffer, after room for gRPC's 5-byte prefix; every
 * other frame goes to `fallback`, the generated codec.
 *
 * Why: at 1 MiB per chunk, protobufjs allocates a fresh buffer per chunk, which grpc-js then copies
 * into a second fresh one behind its message prefix. Fresh memory costs the kernel a page fault per
 * 4 KiB and the garbage collector a full collection per 64 MiB; with the headroom grpc-js frames the
 * message where it lies (`fastenServerCall`, `fastenClientCall`), and once the frame is written out
 * ({@link releaseChunkFrame}) its buffer serves the next one: one copy per chunk into warm memory.
 */
export function chunkFrameSerializer<Frame extends ChunkCarrier>(
  fallback: (frame: Frame) => Buffer,
  pool: MessageBufferPool = messageBufferPool,
): (frame: Frame) => Buffer {
  return (frame) => {
    const chunk = onlyChunk(frame);
    if (chunk === undefined) return fallback(frame);
    const { transferId, tensorIndex, offset, data, crc32c } = chunk;
    const idBytes = Buffer.byteLength(transferId, 'utf8');
    const crcBytes = crc32c === undefined ? 0 : CRC32C_BYTES;
    const inner = 1 + varintLength(idBytes) + idBytes + 1 + varintLength(tensorIndex) + 1 + varintLength(offset) + 1 + varintLength(data.byteLength) + data.byteLength + crcBytes;
    const buffer = pool.acquire(GRPC_PREFIX_BYTES + 1 + varintLength(inner) + inner);
    const out = reserveHeadroom(buffer);
    let at = writeVarint(out, writeVarint(out, 0, FRAME_CHUNK_TAG), inner);
    at = writeVarint(out, at, TRANSFER_ID_TAG);
    at = writeVarint(out, at, idBytes);
    at += out.write(transferId, at, 'utf8');
    at = writeVarint(out, writeVarint(out, at, TENSOR_INDEX_TAG), tensorIndex);
    at = writeVarint(out, writeVarint(out, at, OFFSET_TAG), offset);
    at = writeVarint(out, writeVarint(out, at, DATA_TAG), data.byteLength);
    copyBytes(out.subarray(at, at + data.byteLength), data);
    at += data.byteLength;
    if (crc32c !== undefined) {
      out[at] = CRC32C_TAG;
      out.writeUInt32LE(crc32c, at + 1);
    }
    serialized.set(frame, { pool, buffer });
    return out;
  };
}

/**
 * Gives the buffer `frame` was serialized into back to its pool. Call only once the stream has written
 * the frame out (its write callback, without error): grpc-js holds the message until then.
 */
export function releaseChunkFrame(frame: object): void {
  const lent = serialized.get(frame);
  if (lent === undefined) return;
  serialized.delete(frame);
  lent.pool.release(lent.buffer);
}

interface PlainChunk {
  transferId: string;
  tensorIndex: number;
  offset: number;
  data: Uint8Array;
  crc32c: number | undefined;
}

/**
 * The frame's chunk when it is the only field set and holds what the transport sends (a string id,
 * non-negative safe integers, bytes); anything else is left to the generated codec.
 */
function onlyChunk(frame: ChunkCarrier): PlainChunk | undefined {
  const { chunk } = frame;
  if (chunk == null) return undefined;
  const { transferId, tensorIndex, offset, data, crc32c } = chunk as TensorChunk;
  if (typeof transferId !== 'string' || !(data instanceof Uint8Array) || !isIndex(tensorIndex) || !isIndex(offset)) return undefined;
  if (crc32c != null && !(Number.isInteger(crc32c) && crc32c >= 0 && crc32c <= 0xffffffff)) return undefined;
  for (const [key, value] of Object.entries(frame)) if (key !== 'chunk' && value != null) return undefined;
  return { transferId, tensorIndex, offset, data, crc32c: crc32c ?? undefined };
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 128; rest = Math.floor(rest / 128)) length += 1;
  return length;
}

/** Writes a non-negative safe integer as a protobuf varint at `at`; returns the position after it. */
function writeVarint(buffer: Buffer, at: number, value: number): number {
  let rest = value;
  let position = at;
  while (rest >= 128) {
    buffer[position++] = (rest % 128) | 128;
    rest = Math.floor(rest / 128);
  }
  buffer[position++] = rest;
  return position;
}
