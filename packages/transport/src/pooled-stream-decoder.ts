import { GRPC_PREFIX_BYTES as PREFIX_BYTES } from './in-place-framing';
import { messageBufferPool, type MessageBufferPool } from './message-buffer-pool';
import { copyBytes } from './copy-bytes';

/**
 * Messages from this size up are assembled in {@link messageBufferPool} buffers. Smaller ones are
 * cheap to allocate; above {@link POOLED_MESSAGE_MAX_BYTES} a message is gathered as it arrives, so a
 * forged length prefix cannot make the receiver allocate memory the sender never fills.
 */
export const POOLED_MESSAGE_MIN_BYTES = 64 * 1024;
/** See {@link POOLED_MESSAGE_MIN_BYTES}. */
export const POOLED_MESSAGE_MAX_BYTES = 32 * 2 ** 20;

/**
 * Splits an HTTP/2 stream's bytes into length-prefixed gRPC messages, like grpc-js's own
 * `StreamDecoder` (same input, same framed messages out, same error for an oversized one), except
 * that messages between {@link POOLED_MESSAGE_MIN_BYTES} and {@link POOLED_MESSAGE_MAX_BYTES} are
 * assembled in a buffer of the {@link MessageBufferPool} instead of a fresh `Buffer.concat`.
 */
export class PooledStreamDecoder {
  private readonly prefix = Buffer.alloc(PREFIX_BYTES);
  private prefixFilled = 0;
  /** The message being assembled in one pooled buffer (prefix included), with its filled length. */
  private pooled: Buffer | undefined;
  private pooledFilled = 0;
  /** The pieces of a message gathered as they arrive (small or very large messages). */
  private pieces: Buffer[] | undefined;
  private piecesRemaining = 0;

  constructor(
    private readonly maxReadMessageLength: number,
    private readonly pool: MessageBufferPool = messageBufferPool,
  ) {}

  /** Feeds bytes of the stream; returns the messages they complete, each with its 5-byte prefix. */
  write(data: Buffer): Buffer[] {
    const messages: Buffer[] = [];
    let head = 0;
    while (head < data.length) {
      if (this.pooled !== undefined) {
        const take = Math.min(this.pooled.length - this.pooledFilled, data.length - head);
        copyBytes(this.pooled.subarray(this.pooledFilled, this.pooledFilled + take), data.subarray(head, head + take));
        this.pooledFilled += take;
        head += take;
        if (this.pooledFilled === this.pooled.length) {
          messages.push(this.pooled);
          this.pooled = undefined;
        }
      } else if (this.pieces !== undefined) {
        const take = Math.min(this.piecesRemaining, data.length - head);
        this.pieces.push(data.subarray(head, head + take));
        this.piecesRemaining -= take;
        head += take;
        if (this.piecesRemaining === 0) {
          messages.push(Buffer.concat(this.pieces));
          this.pieces = undefined;
        }
      } else {
        const take = Math.min(PREFIX_BYTES - this.prefixFilled, data.length - head);
        data.copy(this.prefix, this.prefixFilled, head, head + take);
        this.prefixFilled += take;
        head += take;
        if (this.prefixFilled === PREFIX_BYTES) {
          this.prefixFilled = 0;
          const empty = this.startMessage(this.prefix.readUInt32BE(1));
          if (empty) messages.push(empty);
        }
      }
    }
    return messages;
  }

  /** Prepares to assemble a message of `size` bytes; returns it at once when it is empty. */
  private startMessage(size: number): Buffer | undefined {
    if (this.maxReadMessageLength !== -1 && size > this.maxReadMessageLength) {
      throw new Error(`Received message larger than max (${size} vs ${this.maxReadMessageLength})`);
    }
    if (size === 0) return Buffer.from(this.prefix);
    if (size >= POOLED_MESSAGE_MIN_BYTES && size <= POOLED_MESSAGE_MAX_BYTES) {
      this.pooled = this.pool.acquire(PREFIX_BYTES + size);
      this.prefix.copy(this.pooled);
      this.pooledFilled = PREFIX_BYTES;
    } else {
      this.pieces = [Buffer.from(this.prefix)];
      this.piecesRemaining = size;
    }
    return undefined;
  }
}
