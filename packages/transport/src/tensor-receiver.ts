import type { TensorChunk__Output, TensorHeader__Output, TensorSet__Output } from '@fedbiomed/proto';
import { TransportError } from './errors';
import { ChunkCopier } from './chunk-copier';
import { chunkCrcMismatch, chunkMismatch, digestMismatch, TensorDigester } from './integrity';
import { messageBufferPool, type MessageBufferPool } from './message-buffer-pool';
import { POOLED_MESSAGE_MIN_BYTES } from './pooled-stream-decoder';
import { expectedByteLength, type Tensor } from './tensor';
import { copyBytes } from './copy-bytes';

/** The tensors of one message, by `transferId`. */
export type ReceivedTensors = ReadonlyMap<string, Tensor[]>;

/** Outcome of waiting for a message's tensors. */
export type TransferOutcome = { ok: true; tensors: ReceivedTensors } | { ok: false; error: TransportError };

interface Group {
  owner: string;
  remaining: number;
  tensors: Map<string, Tensor[]>;
  done: (outcome: TransferOutcome) => void;
}

interface Transfer {
  id: string;
  group: Group;
  headers: TensorHeader__Output[];
  discard: boolean;
  index: number;
  received: number;
  buffer: Uint8Array | undefined;
  digester: TensorDigester | undefined;
  out: Tensor[];
  /** Chunks handed to the {@link ChunkCopier} and not yet copied and checked. */
  copying: number;
  /** Every chunk has arrived; the transfer completes once `copying` is back to 0. */
  arrived: boolean;
}

/** Options of a {@link TensorReceiver}. */
export interface TensorReceiverOptions {
  /** Where the message buffer of each accepted chunk goes back once its bytes are copied out (see `fastenServerCall`). */
  pool?: MessageBufferPool;
  /**
   * Copies chunks in shared memory off this thread (default: the process's {@link ChunkCopier};
   * `null`: every chunk is copied and checked on this thread).
   */
  copier?: ChunkCopier | null;
  /**
   * Called with a chunk's failure found after `accept` returned (a CRC-32C mismatch found by the
   * copier); the caller closes the session, as for a failure `accept` throws. Default: {@link TensorReceiver.failAll}.
   */
  onLateFailure?: (error: TransportError) => void;
}

/**
 * Chunks waiting for the copier at most; beyond, chunks are copied on this thread, so a copier that
 * falls behind cannot make received message buffers pile up (about 1 MiB each).
 */
const MAX_COPY_BACKLOG = 32;

/** How many recently dropped transfer ids are remembered so their in-flight chunks are ignored. */
const DROPPED_MEMORY = 1024;

/**
 * Reassembles chunked tensors for one session. Every chunk is checked (known transfer, tensor index,
 * offset, overflow) and every tensor's length and digests (CRC-32C and/or SHA-256, computed as the
 * chunks are copied in) once complete; a violation throws a
 * {@link TransportError} and the caller closes the session, which calls {@link failAll}.
 * Memory: each tensor's buffer is allocated at its first chunk, once, at its declared size.
 */
export class TensorReceiver {
  private readonly transfers = new Map<string, Transfer>();
  private readonly dropped = new Set<string>();

  private readonly pool: MessageBufferPool;
  private readonly copier: ChunkCopier | undefined;
  private copiesInFlight = 0;
  private readonly copiesDone: (() => void)[] = [];
  private readonly onLateFailure: (error: TransportError) => void;

  constructor(
    private readonly maxTransferBytes: number,
    options: TensorReceiverOptions = {},
  ) {
    this.pool = options.pool ?? messageBufferPool;
    this.copier = options.copier === null ? undefined : (options.copier ?? ChunkCopier.shared());
    this.onLateFailure = options.onLateFailure ?? ((error) => this.failAll(error));
  }

  /**
   * Registers the tensor sets a message announced; `done` is called once, with all their tensors
   * or with the first failure. With `discard`, chunks are checked but not kept (a late reply).
   * Throws `MALFORMED` / `TRANSFER_FAILED` for invalid headers without registering anything.
   */
  expect(owner: string, sets: readonly TensorSet__Output[], discard: boolean, done: (outcome: TransferOutcome) => void): void {
    let total = 0;
    for (const set of sets) {
      if (set.transferId === '') throw new TransportError('MALFORMED', 'a tensor set has an empty transferId', { requestId: owner });
      if (this.transfers.has(set.transferId) || sets.filter((s) => s.transferId === set.transferId).length > 1) {
        throw new TransportError('MALFORMED', `tensor set "${set.transferId}" is already in transfer`, { requestId: owner });
      }
      for (const header of set.tensors) total += checkHeader(set.transferId, header, owner);
    }
    if (total > this.maxTransferBytes) {
      throw new TransportError(
        'TRANSFER_FAILED',
        `the message declares ${total} tensor bytes, above maxTransferBytes ${this.maxTransferBytes}`,
        { requestId: owner },
      );
    }
    const group: Group = { owner, remaining: sets.length, tensors: new Map(), done };
    if (sets.length === 0) {
      done({ ok: true, tensors: group.tensors });
      return;
    }
    for (const set of sets) {
      const transfer: Transfer = {
        id: set.transferId,
        group,
        headers: set.tensors,
        discard,
        index: 0,
        received: 0,
        buffer: undefined,
        digester: undefined,
        out: [],
        copying: 0,
        arrived: false,
      };
      this.transfers.set(set.transferId, transfer);
      this.advance(transfer);
    }
  }

  /**
   * Adds one chunk; throws a {@link TransportError} when it breaks the contract. Either way the
   * chunk's bytes are not used afterwards: the message buffer they lie in goes back to the pool.
   */
  accept(chunk: TensorChunk__Output): void {
    let handedOff = false;
    try {
      handedOff = this.acceptChunk(chunk);
    } finally {
      if (!handedOff) this.pool.release(chunk.data);
    }
  }

  /** Checks and takes one chunk; returns whether its bytes went to the copier (which then owns them). */
  private acceptChunk(chunk: TensorChunk__Output): boolean {
    const transfer = this.transfers.get(chunk.transferId);
    if (!transfer) {
      if (this.dropped.has(chunk.transferId)) return false;
      throw new TransportError('MALFORMED', `chunk for unknown transfer "${chunk.transferId}"`);
    }
    const requestId = transfer.group.owner;
    const header = transfer.headers[transfer.index];
    if (!header || chunk.tensorIndex !== transfer.index) {
      throw new TransportError(
        'MALFORMED',
        `transfer "${transfer.id}": chunk for tensor index ${chunk.tensorIndex} while tensor ${transfer.index} of ${transfer.headers.length} is expected`,
        { requestId },
      );
    }
    const data = chunk.data;
    if (chunk.offset !== transfer.received || data.byteLength === 0) {
      throw new TransportError(
        'MALFORMED',
        `transfer "${transfer.id}" tensor "${header.name}": chunk at offset ${chunk.offset} with ${data.byteLength} bytes, expected a non-empty chunk at offset ${transfer.received}`,
        { requestId },
      );
    }
    if (transfer.received + data.byteLength > header.byteLength) {
      throw new TransportError(
        'MALFORMED',
        `transfer "${transfer.id}" tensor "${header.name}": chunk overflows the declared ${header.byteLength} bytes`,
        { requestId },
      );
    }
    let handedOff = false;
    if (!transfer.discard) {
      // Only per-chunk checks can run out of order (whole-tensor digests need the bytes in sequence), and
      // only chunks in pooled buffers, so of tensors from POOLED_MESSAGE_MIN_BYTES up, can go off thread.
      const offThread = header.chunkCrc32c && !hasWholeTensorDigest(header) && chunk.crc32c != null && header.byteLength >= POOLED_MESSAGE_MIN_BYTES;
      const copier = offThread ? this.copier : undefined;
      transfer.buffer ??= allocate(header.byteLength, copier !== undefined, transfer.id, requestId);
      const target = transfer.buffer.subarray(transfer.received, transfer.received + data.byteLength);
      if (copier && ChunkCopier.accepts(target, data) && copier.backlog < MAX_COPY_BACKLOG) {
        this.copyOffThread(copier, transfer, header, chunk, target);
        handedOff = true;
      } else {
        const broken = chunkMismatch(header, chunk);
        if (broken !== undefined) throw chunkFailure(transfer, header, chunk.offset, broken);
        // Digest first, while grpc-js's freshly assembled message is still in the CPU cache.
        (transfer.digester ??= TensorDigester.for(header)).update(data);
        copyBytes(target, data);
      }
    }
    transfer.received += data.byteLength;
    if (transfer.received === header.byteLength) {
      this.finishTensor(transfer, header);
      transfer.index += 1;
      transfer.received = 0;
      this.advance(transfer);
    }
    return handedOff;
  }

  /**
   * Has the copier copy `chunk` into `target` and check its CRC-32C; the chunk's message buffer goes
   * back to the pool once done, and the transfer completes once its last copy is done.
   */
  private copyOffThread(copier: ChunkCopier, transfer: Transfer, header: TensorHeader__Output, chunk: TensorChunk__Output, target: Uint8Array): void {
    transfer.copying += 1;
    this.copiesInFlight += 1;
    const settle = (failure: TransportError | undefined) => {
      this.pool.release(chunk.data);
      transfer.copying -= 1;
      this.copiesInFlight -= 1;
      try {
        if (this.transfers.get(transfer.id) !== transfer) return;
        if (failure) this.onLateFailure(failure);
        else if (transfer.copying === 0 && transfer.arrived) this.complete(transfer);
      } finally {
        if (this.copiesInFlight === 0) for (const resolve of this.copiesDone.splice(0)) resolve();
      }
    };
    const internal = (error: unknown) => new TransportError('INTERNAL', `transfer "${transfer.id}": ${String(error)}`, { requestId: transfer.group.owner, cause: error });
    copier
      .copy(target, chunk.data)
      .then(
        (crc) => {
          const broken = chunkCrcMismatch(chunk.crc32c as number, crc);
          settle(broken === undefined ? undefined : chunkFailure(transfer, header, chunk.offset, broken));
        },
        (error: unknown) => settle(internal(error)),
      )
      // A throwing completion callback must not become an unhandled rejection.
      .catch((error: unknown) => this.onLateFailure(internal(error)));
  }

  /**
   * Checks a bulk transfer's announcement against the tensor set it replaces: the set must be
   * expected, have received no chunk, and declare exactly `byteLength` bytes. Throws otherwise.
   */
  checkBulk(transferId: string, byteLength: number): void {
    const transfer = this.transfers.get(transferId);
    const started = transfer !== undefined && (transfer.received !== 0 || transfer.headers.slice(0, transfer.index).some((h) => h.byteLength > 0));
    if (!transfer || started) {
      throw new TransportError('MALFORMED', `bulk transfer for unknown or already started tensor set "${transferId}"`);
    }
    const declared = transfer.headers.reduce((sum, header) => sum + header.byteLength, 0);
    if (declared !== byteLength) {
      throw new TransportError('TRANSFER_FAILED', `bulk transfer "${transferId}" announces ${byteLength} bytes, its tensor headers declare ${declared}`, {
        requestId: transfer.group.owner,
      });
    }
  }

  /**
   * Completes a tensor set from its bulk body (already checked against its length and SHA-256):
   * each tensor views its slice of the body, and whole-tensor digests its header declares are
   * checked as for chunks. A set dropped meanwhile (cancelled request) is ignored.
   */
  acceptBulk(transferId: string, body: Uint8Array): void {
    const transfer = this.transfers.get(transferId);
    if (!transfer) return;
    this.checkBulk(transferId, body.byteLength);
    let offset = 0;
    // Leading empty tensors were finished when the set was registered.
    for (const header of transfer.headers.slice(transfer.index)) {
      const data = body.subarray(offset, offset + header.byteLength);
      offset += header.byteLength;
      if (transfer.discard) continue;
      transfer.digester = TensorDigester.for(header);
      transfer.digester.update(data);
      transfer.buffer = data;
      this.finishTensor(transfer, header);
    }
    transfer.index = transfer.headers.length;
    transfer.arrived = true;
    this.complete(transfer);
  }

  /** Fails the message one tensor set belongs to (its other sets are dropped); the session goes on. */
  failTransfer(transferId: string, error: TransportError): void {
    const group = this.transfers.get(transferId)?.group;
    if (!group) return;
    for (const transfer of [...this.transfers.values()]) if (transfer.group === group) this.drop(transfer);
    group.remaining = -1;
    group.done({ ok: false, error: new TransportError(error.code, error.message, { requestId: group.owner, nodeId: error.nodeId, cause: error }) });
  }

  /**
   * Resolves once no chunk copy is in flight (at once when none is), so that a session its peer ends
   * gracefully first completes the transfers that had fully arrived.
   */
  whenCopied(): Promise<void> {
    return this.copiesInFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.copiesDone.push(resolve));
  }

  /** Drops the transfers of one message (cancelled request); their in-flight chunks are ignored. */
  discard(owner: string): void {
    for (const transfer of [...this.transfers.values()]) {
      if (transfer.group.owner === owner) this.drop(transfer);
    }
  }

  /** Fails every transfer in progress, e.g. when the session closes. */
  failAll(error: TransportError): void {
    const groups = new Set<Group>();
    for (const transfer of this.transfers.values()) groups.add(transfer.group);
    this.transfers.clear();
    for (const group of groups) {
      group.remaining = -1;
      group.done({
        ok: false,
        error: new TransportError(error.code, `tensor transfer cut: ${error.message}`, {
          requestId: group.owner,
          nodeId: error.nodeId,
          cause: error,
        }),
      });
    }
  }

  /** Number of transfers in progress (for leak checks). */
  get size(): number {
    return this.transfers.size;
  }

  private finishTensor(transfer: Transfer, header: TensorHeader__Output): void {
    if (transfer.discard) return;
    const data = transfer.buffer ?? new Uint8Array(0);
    const mismatch = digestMismatch(header, (transfer.digester ?? TensorDigester.for(header)).digest());
    if (mismatch !== undefined) {
      throw new TransportError('TRANSFER_FAILED', `transfer "${transfer.id}" tensor "${header.name}": ${mismatch}`, {
        requestId: transfer.group.owner,
      });
    }
    transfer.out.push({ name: header.name, dtype: header.dtype, shape: header.shape, data });
    transfer.buffer = undefined;
    transfer.digester = undefined;
  }

  /** Moves past empty tensors, which have no chunks; completes the transfer (and maybe its group). */
  private advance(transfer: Transfer): void {
    while (transfer.index < transfer.headers.length && transfer.headers[transfer.index]?.byteLength === 0) {
      this.finishTensor(transfer, transfer.headers[transfer.index] as TensorHeader__Output);
      transfer.index += 1;
    }
    if (transfer.index < transfer.headers.length) return;
    transfer.arrived = true;
    if (transfer.copying === 0) this.complete(transfer);
  }

  /** A transfer whose tensors are all in: hands them to its group, and completes the group with the last. */
  private complete(transfer: Transfer): void {
    this.transfers.delete(transfer.id);
    const group = transfer.group;
    group.tensors.set(transfer.id, transfer.out);
    group.remaining -= 1;
    if (group.remaining === 0) group.done({ ok: true, tensors: group.tensors });
  }

  private drop(transfer: Transfer): void {
    this.transfers.delete(transfer.id);
    this.dropped.add(transfer.id);
    if (this.dropped.size > DROPPED_MEMORY) this.dropped.delete(this.dropped.values().next().value as string);
  }
}

/** Checks one header against the contract; returns its byte length. */
function checkHeader(transferId: string, header: TensorHeader__Output, owner: string): number {
  const where = `transfer "${transferId}" tensor "${header.name}"`;
  const expected = expectedByteLength(header.dtype, header.shape);
  if (expected === undefined) {
    throw new TransportError('MALFORMED', `${where}: invalid dtype ${header.dtype} or shape [${header.shape.join(', ')}]`, { requestId: owner });
  }
  if (expected !== header.byteLength) {
    throw new TransportError(
      'MALFORMED',
      `${where}: declares ${header.byteLength} bytes but dtype ${header.dtype} and shape [${header.shape.join(', ')}] need ${expected}`,
      { requestId: owner },
    );
  }
  const checked = header.sha256.byteLength === 32 || header.crc32c !== undefined || header.chunkCrc32c;
  if (!checked || (header.sha256.byteLength !== 0 && header.sha256.byteLength !== 32)) {
    throw new TransportError(
      'MALFORMED',
      `${where}: needs chunk_crc32c, a crc32c or a 32-byte sha256, got ${header.chunkCrc32c ? 'chunk_crc32c, ' : ''}${header.crc32c === undefined ? 'no crc32c' : 'a crc32c'} and a ${header.sha256.byteLength}-byte sha256`,
      { requestId: owner },
    );
  }
  return expected;
}

/** A tensor's buffer; in shared memory when its chunks are to be copied off thread. */
function allocate(byteLength: number, shared: boolean, transferId: string, requestId: string): Uint8Array {
  try {
    return shared ? new Uint8Array(new SharedArrayBuffer(byteLength)) : new Uint8Array(byteLength);
  } catch (cause) {
    throw new TransportError('TRANSFER_FAILED', `transfer "${transferId}": cannot allocate ${byteLength} bytes`, { requestId, cause });
  }
}

function hasWholeTensorDigest(header: TensorHeader__Output): boolean {
  return header.sha256.byteLength > 0 || header.crc32c !== undefined;
}

function chunkFailure(transfer: Transfer, header: TensorHeader__Output, offset: number, reason: string): TransportError {
  return new TransportError('TRANSFER_FAILED', `transfer "${transfer.id}" tensor "${header.name}" at offset ${offset}: ${reason}`, {
    requestId: transfer.group.owner,
  });
}
