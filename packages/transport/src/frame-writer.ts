import type { Writable } from 'node:stream';
import { TransportError } from './errors';
import type { TensorChunk } from '@fedbiomed/proto';
import { releaseChunkFrame } from './chunk-frame-serializer';
import { chunkCrc32c } from './integrity';
import type { TensorPayload } from './tensor';

/**
 * Writes frames to a gRPC stream with backpressure: `write` resolves once the stream can take more,
 * so a sender never queues more than the stream's high-water mark, whatever the model size. Once a
 * frame is written out, its serialized chunk buffer goes back to the pool (`releaseChunkFrame`).
 */
export class FrameWriter<Frame extends object> {
  private drain: Promise<void> | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly describe: () => { nodeId?: string },
  ) {}

  /** Whether the stream still accepts frames. */
  get open(): boolean {
    return !this.stream.writableEnded && !this.stream.destroyed;
  }

  /** Writes one frame; rejects with `UNAVAILABLE` when the stream is closed. */
  async write(frame: Frame): Promise<void> {
    if (this.drain) await this.drain;
    if (!this.open) throw new TransportError('UNAVAILABLE', 'the session stream is closed', this.describe());
    const written = (error?: Error | null) => {
      if (!error) releaseChunkFrame(frame);
    };
    if (!this.stream.write(frame, written)) {
      this.drain ??= new Promise<void>((resolve) => {
        const settle = () => {
          this.stream.off('drain', settle);
          this.stream.off('close', settle);
          this.stream.off('error', settle);
          this.drain = undefined;
          resolve();
        };
        this.stream.on('drain', settle);
        this.stream.on('close', settle);
        this.stream.on('error', settle);
      });
    }
  }
}

/**
 * Streams the bytes of `payloads` as chunk frames of at most `chunkSizeBytes`, tensor after tensor,
 * without copying (each chunk views the tensor's memory), each with its CRC-32C when the tensor's
 * header asks for one. Stops with `CANCELLED` when `signal` aborts.
 */
export async function sendTensorChunks(
  write: (chunk: TensorChunk) => Promise<void>,
  payloads: readonly TensorPayload[],
  chunkSizeBytes: number,
  signal: AbortSignal | undefined,
  context: { nodeId?: string; requestId?: string },
): Promise<void> {
  for (const payload of payloads) {
    const transferId = payload.set.transferId;
    for (const [tensorIndex, tensor] of payload.tensors.entries()) {
      const perChunk = payload.set.tensors?.[tensorIndex]?.chunkCrc32c === true;
      for (let offset = 0; offset < tensor.data.byteLength; offset += chunkSizeBytes) {
        if (signal?.aborted) throw new TransportError('CANCELLED', `transfer "${transferId}" stopped: request cancelled`, context);
        const data = tensor.data.subarray(offset, offset + chunkSizeBytes);
        await write({ transferId, tensorIndex, offset, data, ...(perChunk && { crc32c: chunkCrc32c(data) }) });
      }
    }
  }
}

/** A way to send large tensor sets outside the session (the bulk channel), when the peers agreed on one. */
export interface BulkSender {
  /** Whether this tensor set goes through the channel. */
  wants(payload: TensorPayload): boolean;
  /** Announces the set on the session and moves its bytes on the channel. */
  send(payload: TensorPayload): Promise<void>;
}

/**
 * Sends each payload's bytes: through `bulk` when there is one and it wants the set, else as chunk
 * frames (see {@link sendTensorChunks}), payload after payload.
 */
export async function sendTensorSets(
  write: (chunk: TensorChunk) => Promise<void>,
  payloads: readonly TensorPayload[],
  bulk: BulkSender | undefined,
  chunkSizeBytes: number,
  signal: AbortSignal | undefined,
  context: { nodeId?: string; requestId?: string },
): Promise<void> {
  for (const payload of payloads) {
    if (bulk?.wants(payload)) await bulk.send(payload);
    else await sendTensorChunks(write, [payload], chunkSizeBytes, signal, context);
  }
}
