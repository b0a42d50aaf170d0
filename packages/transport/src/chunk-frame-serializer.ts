import type { ResearcherFrame, TensorChunk } from '@fedbiomed/proto';

/** Field tags (field number << 3 | wire type) of `ResearcherFrame.chunk` and of `TensorChunk`'s fields. */
const FRAME_CHUNK_TAG = (3 << 3) | 2;
const TRANSFER_ID_TAG = (1 << 3) | 2;
const TENSOR_INDEX_TAG = 2 << 3;
const OFFSET_TAG = 3 << 3;
const DATA_TAG = (4 << 3) | 2;
const CRC32C_TAG = (5 << 3) | 5;
const CRC32C_BYTES = 1 + 4;
/** Longest varint of a safe integer, and the room for every field but the data's and the id's bytes. */
const MAX_VARINT_BYTES = 8;
const FIXED_BYTES = 5 * (1 + MAX_VARINT_BYTES);

/**
 * The researcher's frame serializer: tensor chunk frames are written by hand, in the same bytes
 * protobufjs writes (fields 1–5 in order), into one buffer reused from frame to frame; every other
 * frame goes to `fallback`, the generated codec.
 *
 * Why: at 1 MiB per chunk, the researcher otherwise allocates a fresh buffer per chunk for the
 * protobuf encoding, which grpc-js immediately copies into a second one behind its 5-byte message
 * header; the first is garbage at once, and garbage collection driven by such buffers was about a
 * fifth of the sender's busy CPU (docs/benchmarks/transport.md). Reusing the buffer is sound because
 * the grpc-js server serializes and copies each message synchronously, in one call, before it
 * returns (`BaseServerInterceptingCall.serializeMessage`). The grpc-js client instead keeps
 * serialized messages for retries and may ask for the next one before copying the last, so the
 * node's frames keep the generated codec.
 */
export function chunkFrameSerializer(fallback: (frame: ResearcherFrame) => Buffer): (frame: ResearcherFrame) => Buffer {
  let scratch = Buffer.alloc(0);
  return (frame) => {
    const chunk = onlyChunk(frame);
    if (chunk === undefined) return fallback(frame);
    const { transferId, tensorIndex, offset, data, crc32c } = chunk;
    const idBytes = Buffer.byteLength(transferId, 'utf8');
    const needed = FIXED_BYTES + CRC32C_BYTES + idBytes + data.byteLength;
    if (scratch.byteLength < needed) scratch = Buffer.allocUnsafe(needed);
    const crcBytes = crc32c === undefined ? 0 : CRC32C_BYTES;
    const inner = 1 + varintLength(idBytes) + idBytes + 1 + varintLength(tensorIndex) + 1 + varintLength(offset) + 1 + varintLength(data.byteLength) + data.byteLength + crcBytes;
    let at = writeVarint(scratch, writeVarint(scratch, 0, FRAME_CHUNK_TAG), inner);
    at = writeVarint(scratch, at, TRANSFER_ID_TAG);
    at = writeVarint(scratch, at, idBytes);
    at += scratch.write(transferId, at, 'utf8');
    at = writeVarint(scratch, writeVarint(scratch, at, TENSOR_INDEX_TAG), tensorIndex);
    at = writeVarint(scratch, writeVarint(scratch, at, OFFSET_TAG), offset);
    at = writeVarint(scratch, writeVarint(scratch, at, DATA_TAG), data.byteLength);
    scratch.set(data, at);
    at += data.byteLength;
    if (crc32c !== undefined) {
      scratch[at] = CRC32C_TAG;
      at = scratch.writeUInt32LE(crc32c, at + 1);
    }
    return scratch.subarray(0, at);
  };
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
function onlyChunk(frame: ResearcherFrame): PlainChunk | undefined {
  const { chunk } = frame;
  if (chunk == null) return undefined;
  const { transferId, tensorIndex, offset, data, crc32c } = chunk as TensorChunk;
  if (typeof transferId !== 'string' || !(data instanceof Uint8Array) || !isIndex(tensorIndex) || !isIndex(offset)) return undefined;
  if (crc32c != null && !(Number.isInteger(crc32c) && crc32c >= 0 && crc32c <= 0xffffffff)) return undefined;
  for (const key in frame) if (key !== 'chunk' && frame[key as keyof ResearcherFrame] != null) return undefined;
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
