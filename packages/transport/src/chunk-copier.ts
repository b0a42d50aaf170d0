import { Worker } from 'node:worker_threads';

/** The worker: copies each chunk where it is told and answers with the chunk's CRC-32C. */
function workerSource(crc32cModule: string): string {
  return `
const { parentPort } = require('node:worker_threads');
const { crc32c } = require(${JSON.stringify(crc32cModule)});
parentPort.on('message', ({ id, source, sourceOffset, target, targetOffset, length }) => {
  const bytes = new Uint8Array(source, sourceOffset, length);
  const crc = crc32c(bytes);
  // A native memcpy: TypedArray#set between shared buffers goes byte by byte when misaligned (see copy-bytes.ts).
  Buffer.from(target, targetOffset, length).fill(bytes);
  parentPort.postMessage({ id, crc });
});`;
}

interface Pending {
  resolve(crc: number): void;
  reject(error: Error): void;
}

let shared: ChunkCopier | undefined;

/**
 * Copies received tensor chunks into their tensors and computes their CRC-32C on a worker thread, so
 * the thread that runs the gRPC session only parses messages. On a bulk transfer those two passes over
 * the bytes (the copy mostly paying for the kernel's first touch of the tensor's pages) were most of
 * the receiving thread's work, which bounded the transfer (docs/benchmarks/transport.md). Both buffers
 * must live in shared memory ({@link ChunkCopier.accepts}); copies run in the order they are asked.
 */
export class ChunkCopier {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor() {
    this.worker = new Worker(workerSource(require.resolve('@node-rs/crc32')), { eval: true });
    this.worker.on('message', ({ id, crc }: { id: number; crc: number }) => {
      const job = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      job?.resolve(crc);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the chunk copier thread exited (code ${code})`)));
    // An idle copier must not keep a process alive that has nothing else to do; copies in flight do
    // (see copy). After the listeners: adding a 'message' listener refs the worker again.
    this.worker.unref();
  }

  /** The process's copier, started on first use and again after its thread has failed or been closed. */
  static shared(): ChunkCopier {
    if (shared === undefined || shared.failure !== undefined) shared = new ChunkCopier();
    return shared;
  }

  /** Whether {@link copy} can take these buffers: both must be views of shared memory. */
  static accepts(target: Uint8Array, source: Uint8Array): boolean {
    return target.buffer instanceof SharedArrayBuffer && source.buffer instanceof SharedArrayBuffer && target.byteLength === source.byteLength;
  }

  /**
   * Copies `source` into `target` (same length, see {@link accepts}); resolves with the CRC-32C of
   * the bytes, rejects when the copier's thread has failed or is closed.
   */
  copy(target: Uint8Array, source: Uint8Array): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({
        id,
        source: source.buffer,
        sourceOffset: source.byteOffset,
        target: target.buffer,
        targetOffset: target.byteOffset,
        length: source.byteLength,
      });
    });
  }

  /** Copies asked for and not answered yet. */
  get backlog(): number {
    return this.pending.size;
  }

  /** Stops the thread; copies not yet answered are rejected. */
  async close(): Promise<void> {
    this.fail(new Error('the chunk copier is closed'));
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) job.reject(this.failure);
    this.pending.clear();
  }
}
