/** Pool capacities are rounded up to this, so a tensor's last, shorter chunk can reuse a full chunk's buffer. */
const CAPACITY_STEP_BYTES = 64 * 1024;

/**
 * Recycles the buffers large gRPC messages are assembled in (received) or serialized into (sent), in
 * shared memory so that a worker thread can read them (`ChunkCopier`). Without it every 1 MiB tensor chunk
 * lands in a fresh allocation that is garbage after one copy; at hundreds of MiB/s that churn
 * triggers a full garbage collection every 64 MiB (V8's external-memory trigger) and makes the
 * kernel hand out and zero new pages for each chunk. A buffer goes back only through
 * {@link MessageBufferPool.release}, which the tensor receiver calls once it has copied a chunk's
 * bytes out; a buffer nobody releases is simply garbage collected, as before.
 */
export class MessageBufferPool {
  private readonly free: Buffer[] = [];
  private readonly lent = new WeakSet<ArrayBufferLike>();
  private reuses = 0;

  /** @param maxFree - buffers kept for reuse at most (the rest are left to the garbage collector). */
  constructor(private readonly maxFree = 8) {}

  /**
   * A buffer of exactly `length` bytes (contents unspecified), recycled when one of a fitting capacity
   * (at least `length`, at most twice it) has been released, else newly allocated.
   */
  acquire(length: number): Buffer {
    const index = this.free.findIndex((buffer) => buffer.byteLength >= length && buffer.byteLength <= 2 * length);
    let whole: Buffer;
    if (index >= 0) {
      whole = this.free.splice(index, 1)[0] as Buffer;
      this.reuses += 1;
    } else {
      whole = Buffer.from(new SharedArrayBuffer(Math.ceil(length / CAPACITY_STEP_BYTES) * CAPACITY_STEP_BYTES));
    }
    this.lent.add(whole.buffer);
    return whole.subarray(0, length);
  }

  /**
   * Takes back the buffer `view` lies in, if this pool lent it and has not had it back yet; any other
   * view is ignored. The caller must hold no other reference into that buffer.
   */
  release(view: Uint8Array): void {
    const backing = view.buffer;
    if (!this.lent.delete(backing)) return;
    if (this.free.length < this.maxFree) this.free.push(Buffer.from(backing));
  }

  /** How many acquisitions were served by a released buffer (for tests and diagnostics). */
  get reusedCount(): number {
    return this.reuses;
  }
}

/** The pool of this process's gRPC message buffers (see `fastenServerCall`). */
export const messageBufferPool = new MessageBufferPool();
