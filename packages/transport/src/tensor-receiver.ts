import type { TensorChunk__Output, TensorHeader__Output, TensorSet__Output } from '@fedbiomed/proto';
import { TransportError } from './errors';
import { chunkMismatch, digestMismatch, TensorDigester } from './integrity';
import { expectedByteLength, type Tensor } from './tensor';

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
}

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

  constructor(private readonly maxTransferBytes: number) {}

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
      };
      this.transfers.set(set.transferId, transfer);
      this.advance(transfer);
    }
  }

  /** Adds one chunk; throws a {@link TransportError} when it breaks the contract. */
  accept(chunk: TensorChunk__Output): void {
    const transfer = this.transfers.get(chunk.transferId);
    if (!transfer) {
      if (this.dropped.has(chunk.transferId)) return;
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
    if (!transfer.discard) {
      const broken = chunkMismatch(header, chunk);
      if (broken !== undefined) {
        throw new TransportError('TRANSFER_FAILED', `transfer "${transfer.id}" tensor "${header.name}" at offset ${chunk.offset}: ${broken}`, {
          requestId,
        });
      }
      // Digest first, while grpc-js's freshly assembled message is still in the CPU cache.
      (transfer.digester ??= TensorDigester.for(header)).update(data);
      transfer.buffer ??= allocate(header.byteLength, transfer.id, requestId);
      transfer.buffer.set(data, transfer.received);
    }
    transfer.received += data.byteLength;
    if (transfer.received === header.byteLength) {
      this.finishTensor(transfer, header);
      transfer.index += 1;
      transfer.received = 0;
      this.advance(transfer);
    }
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

function allocate(byteLength: number, transferId: string, requestId: string): Uint8Array {
  try {
    return new Uint8Array(byteLength);
  } catch (cause) {
    throw new TransportError('TRANSFER_FAILED', `transfer "${transferId}": cannot allocate ${byteLength} bytes`, { requestId, cause });
  }
}
