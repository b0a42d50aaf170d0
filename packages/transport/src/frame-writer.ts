import type { Writable } from 'node:stream';
import { TransportError } from './errors';
import type { TensorChunk } from '@fedbiomed/proto';
import type { TensorPayload } from './tensor';

/**
 * Writes frames to a gRPC stream with backpressure: `write` resolves once the stream can take more,
 * so a sender never queues more than the stream's high-water mark, whatever the model size.
 * {@link flushed} tells when every frame written so far has left for the socket.
 */
export class FrameWriter<Frame> {
  private drain: Promise<void> | undefined;
  private lastFlush: Promise<void> = Promise.resolve();
  /** Settles once the stream closes or fails: a write in flight then may never call back. */
  private readonly ended: Promise<void>;

  constructor(
    private readonly stream: Writable,
    private readonly describe: () => { nodeId?: string },
  ) {
    this.ended = new Promise<void>((resolve) => {
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
  }

  /** Whether the stream still accepts frames. */
  get open(): boolean {
    return !this.stream.writableEnded && !this.stream.destroyed;
  }

  /** Writes one frame; rejects with `UNAVAILABLE` when the stream is closed. */
  async write(frame: Frame): Promise<void> {
    if (this.drain) await this.drain;
    if (!this.open) throw new TransportError('UNAVAILABLE', 'the session stream is closed', this.describe());
    // grpc-js calls a write's callback once the frame is handed to the HTTP/2 socket (or failed); frames
    // are written in order, so the latest callback covers every frame before it.
    let flushed!: () => void;
    this.lastFlush = new Promise<void>((resolve) => (flushed = resolve));
    if (!this.stream.write(frame, () => flushed())) {
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

  /**
   * Resolves once every frame written so far has been flushed to the socket, or the stream ended
   * (check {@link open} after).
   */
  flushed(): Promise<void> {
    return Promise.race([this.lastFlush, this.ended]);
  }
}

/**
 * Streams the bytes of `payloads` as chunk frames of at most `chunkSizeBytes`, tensor after tensor,
 * without copying (each chunk views the tensor's memory). Stops with `CANCELLED` when `signal` aborts.
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
      for (let offset = 0; offset < tensor.data.byteLength; offset += chunkSizeBytes) {
        if (signal?.aborted) throw new TransportError('CANCELLED', `transfer "${transferId}" stopped: request cancelled`, context);
        await write({ transferId, tensorIndex, offset, data: tensor.data.subarray(offset, offset + chunkSizeBytes) });
      }
    }
  }
}
