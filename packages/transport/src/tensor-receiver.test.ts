import fc from 'fast-check';
import type { TensorChunk, TensorChunk__Output, TensorSet__Output } from '@fedbiomed/proto';
import { TransportError } from './errors';
import { ChunkCopier } from './chunk-copier';
import { sendTensorChunks } from './frame-writer';
import { MessageBufferPool } from './message-buffer-pool';
import type { TensorIntegrity } from './integrity';
import { asFloat32Array, float32Tensor, packTensors, type Tensor } from './tensor';
import { TensorReceiver, type TransferOutcome } from './tensor-receiver';
import { findTensorSets } from './tensor-sets';
import { patternBytes } from './__fixtures__/harness';

/** The TensorSet as a receiver decodes it (numbers, Buffers). */
function decoded(set: ReturnType<typeof packTensors>['set']): TensorSet__Output {
  return {
    transferId: set.transferId,
    tensors: (set.tensors ?? []).map((h) => ({
      name: h.name ?? '',
      dtype: h.dtype as TensorSet__Output['tensors'][number]['dtype'],
      shape: (h.shape ?? []).map(Number),
      byteLength: Number(h.byteLength),
      sha256: Buffer.from(h.sha256 as Uint8Array),
      chunkCrc32c: h.chunkCrc32c === true,
      ...(h.crc32c !== undefined && { crc32c: h.crc32c }),
    })),
  };
}

async function chunksOf(tensors: Tensor[], chunkSizeBytes: number, integrity?: TensorIntegrity) {
  const payload = packTensors(tensors, { transferId: 'tr', ...(integrity && { integrity }) });
  const chunks: TensorChunk__Output[] = [];
  await sendTensorChunks(async (c: TensorChunk) => void chunks.push({ ...(c as TensorChunk__Output), data: Buffer.from(c.data as Uint8Array) }), [payload], chunkSizeBytes, undefined, {});
  return { set: decoded(payload.set), chunks };
}

function receive(set: TensorSet__Output, max = 1 << 30) {
  const receiver = new TensorReceiver(max);
  const outcomes: TransferOutcome[] = [];
  receiver.expect('req-1', [set], false, (o) => outcomes.push(o));
  return { receiver, outcomes };
}

/** `chunk` as the pooled stream decoder delivers it: its bytes in a buffer of `pool` (shared memory). */
function inPool(pool: MessageBufferPool, chunk: TensorChunk__Output): TensorChunk__Output {
  const data = pool.acquire(chunk.data.byteLength);
  data.set(chunk.data);
  return { ...chunk, data };
}

const tensorArb = fc
  .record({ dims: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }), dtype: fc.constantFrom('DTYPE_FLOAT32', 'DTYPE_UINT8', 'DTYPE_FLOAT64') })
  .map(({ dims, dtype }, i = 0) => {
    const size = { DTYPE_FLOAT32: 4, DTYPE_UINT8: 1, DTYPE_FLOAT64: 8 }[dtype] * dims.reduce((a, b) => a * b, 1);
    return { name: `t${i}`, dtype, shape: dims, data: patternBytes(size, size + 1) } as Tensor;
  });

describe('TensorReceiver', () => {
  it('reassembles any tensors from chunks of any size, byte for byte', async () => {
    const integrityArb = fc.constantFrom<TensorIntegrity>('chunk-crc32c', 'crc32c', 'sha256', 'both');
    await fc.assert(
      fc.asyncProperty(fc.array(tensorArb, { maxLength: 4 }), fc.integer({ min: 7, max: 3000 }), integrityArb, async (tensors, chunkSize, integrity) => {
        const { set, chunks } = await chunksOf(tensors, chunkSize, integrity);
        const { receiver, outcomes } = receive(set);
        chunks.forEach((c) => receiver.accept(c));
        expect(outcomes).toHaveLength(1);
        const out = outcomes[0]?.ok ? outcomes[0].tensors.get('tr') : undefined;
        expect(out?.map((t) => Buffer.from(t.data))).toEqual(tensors.map((t) => Buffer.from(t.data)));
        expect(receiver.size).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  const tensor: Tensor = { name: 'w', dtype: 'DTYPE_FLOAT32', shape: [4, 4], data: patternBytes(64) };

  it.each([
    ['an unknown transfer', (c: TensorChunk__Output[]) => [{ ...c[0]!, transferId: 'other' }], 'chunk for unknown transfer "other"'],
    ['an out-of-range tensor index', (c: TensorChunk__Output[]) => [{ ...c[0]!, tensorIndex: 5 }], 'chunk for tensor index 5'],
    ['an out-of-order offset', (c: TensorChunk__Output[]) => [c[1]!], 'expected a non-empty chunk at offset 0'],
    ['an empty chunk', (c: TensorChunk__Output[]) => [{ ...c[0]!, data: Buffer.alloc(0) }], 'expected a non-empty chunk'],
    ['an overflow', (c: TensorChunk__Output[]) => [c[0]!, { ...c[1]!, data: Buffer.alloc(60) }], 'overflows the declared 64 bytes'],
  ])('rejects %s as MALFORMED', async (_what, mutate, message) => {
    const { set, chunks } = await chunksOf([tensor], 16);
    const { receiver } = receive(set);
    expect(() => mutate(chunks).forEach((c) => receiver.accept(c))).toThrow(message);
  });

  it.each([
    ['chunk-crc32c', 'at offset 0: chunk CRC-32C mismatch (declared '],
    ['crc32c', 'CRC-32C mismatch (declared '],
    ['sha256', 'SHA-256 mismatch'],
    ['both', 'SHA-256 mismatch'],
  ] as const)('rejects a %s digest mismatch as TRANSFER_FAILED naming the tensor', async (integrity, mismatch) => {
    const { set, chunks } = await chunksOf([tensor], 64, integrity);
    const { receiver } = receive(set);
    const corrupted = Buffer.from(chunks[0]!.data);
    corrupted.writeUInt8(corrupted.readUInt8(3) ^ 1, 3);
    let error: TransportError | undefined;
    try {
      receiver.accept({ ...chunks[0]!, data: corrupted });
    } catch (e) {
      error = e as TransportError;
    }
    expect(error).toMatchObject({ code: 'TRANSFER_FAILED', requestId: 'req-1' });
    expect(error?.message).toContain(`tensor "w"${integrity === 'chunk-crc32c' ? ' ' : ': '}${mismatch}`);
  });

  it('refuses, chunk by chunk, a chunk without the CRC-32C its header requires', async () => {
    const { set, chunks } = await chunksOf([tensor], 16);
    expect(set.tensors[0]).toMatchObject({ chunkCrc32c: true, sha256: Buffer.alloc(0) });
    expect(set.tensors[0]!.crc32c).toBeUndefined();
    expect(chunks.every((c) => typeof c.crc32c === 'number')).toBe(true);
    const { receiver } = receive(set);
    receiver.accept(chunks[0]!);
    const { crc32c: _dropped, ...bare } = chunks[1]!;
    expect(() => receiver.accept(bare as TensorChunk__Output)).toThrow(
      expect.objectContaining({ code: 'TRANSFER_FAILED', message: expect.stringContaining('at offset 16: chunk without the CRC-32C its header requires') }),
    );
  });

  it.each([
    ['a length that does not match the shape', { byteLength: 60 }, 'declares 60 bytes but dtype DTYPE_FLOAT32 and shape [4, 4] need 64', 'MALFORMED'],
    ['an unknown dtype', { dtype: 'DTYPE_UNSPECIFIED' }, 'invalid dtype', 'MALFORMED'],
    ['a short digest', { sha256: Buffer.alloc(4) }, 'needs chunk_crc32c, a crc32c or a 32-byte sha256, got chunk_crc32c, no crc32c and a 4-byte sha256', 'MALFORMED'],
    ['no digest at all', { chunkCrc32c: false }, 'needs chunk_crc32c, a crc32c or a 32-byte sha256, got no crc32c and a 0-byte sha256', 'MALFORMED'],
    ['a size above maxTransferBytes', { shape: [2 ** 20, 2 ** 10], byteLength: 2 ** 32 }, 'above maxTransferBytes', 'TRANSFER_FAILED'],
  ])('rejects a header with %s', async (_what, override, message, code) => {
    const { set } = await chunksOf([tensor], 64);
    const bad = { ...set, tensors: [{ ...set.tensors[0]!, ...override }] } as TensorSet__Output;
    const receiver = new TensorReceiver(1 << 30);
    expect(() => receiver.expect('r', [bad], false, () => undefined)).toThrow(message);
    expect(() => receiver.expect('r', [bad], false, () => undefined)).toThrow(expect.objectContaining({ code }));
    expect(receiver.size).toBe(0);
  });

  it('fails cut transfers once, and forgets cancelled ones while ignoring their late chunks', async () => {
    const { set, chunks } = await chunksOf([tensor], 16);
    const cut = receive(set);
    cut.receiver.accept(chunks[0]!);
    cut.receiver.failAll(new TransportError('UNAVAILABLE', 'connection lost'));
    expect(cut.outcomes).toEqual([expect.objectContaining({ ok: false })]);
    expect(cut.receiver.size).toBe(0);

    const cancelled = receive(set);
    cancelled.receiver.accept(chunks[0]!);
    cancelled.receiver.discard('req-1');
    expect(() => chunks.slice(1).forEach((c) => cancelled.receiver.accept(c))).not.toThrow();
    expect(cancelled.outcomes).toEqual([]);
    expect(cancelled.receiver.size).toBe(0);
  });

  it("hands each chunk's message buffer back to the pool once its bytes are copied, also when the chunk is refused", async () => {
    const pool = new MessageBufferPool();
    const large: Tensor = { name: 'w', dtype: 'DTYPE_UINT8', shape: [4 * 65_536], data: patternBytes(4 * 65_536) };
    const { set, chunks } = await chunksOf([large], 65_536);
    const receiver = new TensorReceiver(1 << 30, { pool, copier: null });
    const outcomes: TransferOutcome[] = [];
    receiver.expect('req-1', [set], false, (o) => outcomes.push(o));
    chunks.forEach((c) => receiver.accept(inPool(pool, c)));
    expect(outcomes[0]?.ok && Buffer.from(outcomes[0].tensors.get('tr')?.[0]?.data ?? []).equals(large.data)).toBe(true);
    expect(pool.reusedCount).toBe(chunks.length - 1); // each chunk reused the buffer of the one before

    const refused = inPool(pool, { ...chunks[0]!, transferId: 'unknown' });
    expect(() => receiver.accept(refused)).toThrow(TransportError);
    expect(pool.acquire(refused.data.byteLength).buffer).toBe(refused.data.buffer);
  });
});

describe('tensors', () => {
  it('views float32 values without copying, both ways', () => {
    const values = new Float32Array([1.5, -2, 3.25]);
    const t = float32Tensor('w', [3], values);
    expect(t.data.buffer).toBe(values.buffer);
    const view = asFloat32Array(t);
    expect(view.buffer).toBe(values.buffer);
    expect([...view]).toEqual([1.5, -2, 3.25]);
  });

  it('refuses to pack a tensor whose bytes do not match its shape', () => {
    expect(() => packTensors([{ name: 'bad', dtype: 'DTYPE_FLOAT32', shape: [3], data: new Uint8Array(8) }])).toThrow(
      'tensor "bad" has 8 bytes but dtype DTYPE_FLOAT32 and shape [3] need 12 bytes',
    );
  });

  it('finds every tensor set of a message, maps included', () => {
    const request = { train: { globalWeights: { transferId: 'g', tensors: [] }, aux: { a: { transferId: 'a', tensors: [] } } }, search: null };
    expect(findTensorSets(request).map((s) => s.transferId).sort()).toEqual(['a', 'g']);
  });
});

describe('TensorReceiver with the chunk copier', () => {
  const large: Tensor = { name: 'w', dtype: 'DTYPE_UINT8', shape: [4 * 65_536], data: patternBytes(4 * 65_536, 3) };

  it('has chunks in shared memory copied and checked off thread, and completes once the last copy is done', async () => {
    const pool = new MessageBufferPool();
    const copier = ChunkCopier.shared();
    const copy = jest.spyOn(copier, 'copy');
    const { set, chunks } = await chunksOf([large], 65_536);
    const receiver = new TensorReceiver(1 << 30, { pool, copier });
    const outcome = new Promise<TransferOutcome>((resolve) => receiver.expect('req-1', [set], false, resolve));
    chunks.forEach((c) => receiver.accept(inPool(pool, c)));
    expect(receiver.size).toBe(1); // every chunk in, copies still running
    const result = await outcome;
    expect(copy).toHaveBeenCalledTimes(chunks.length);
    expect(result.ok && Buffer.from(result.tensors.get('tr')?.[0]?.data ?? []).equals(large.data)).toBe(true);
    expect(receiver.size).toBe(0);
    chunks.forEach(() => pool.acquire(65_536));
    expect(pool.reusedCount).toBe(chunks.length); // each chunk's buffer came back after its copy
    copy.mockRestore();
  });

  it('reports a corrupt chunk the copier finds as TRANSFER_FAILED naming tensor and offset, and fails the transfer', async () => {
    const pool = new MessageBufferPool();
    const { set, chunks } = await chunksOf([large], 65_536);
    const failures: TransportError[] = [];
    const receiver: TensorReceiver = new TensorReceiver(1 << 30, {
      pool,
      onLateFailure: (error) => {
        failures.push(error);
        receiver.failAll(error);
      },
    });
    const outcome = new Promise<TransferOutcome>((resolve) => receiver.expect('req-1', [set], false, resolve));
    const corrupt = inPool(pool, chunks[2]!);
    corrupt.data[100] = (corrupt.data[100] ?? 0) ^ 0xff;
    [chunks[0]!, chunks[1]!, corrupt, chunks[3]!].forEach((c) => receiver.accept(c === corrupt ? c : inPool(pool, c)));
    const result = await outcome;
    expect(result.ok).toBe(false);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: 'TRANSFER_FAILED', requestId: 'req-1' });
    expect(failures[0]?.message).toContain('tensor "w" at offset 131072: chunk CRC-32C mismatch');
    expect(receiver.size).toBe(0);
  });

  it('fails the transfer as INTERNAL when the copier stops mid-transfer', async () => {
    const pool = new MessageBufferPool();
    const copier = ChunkCopier.shared();
    const { set, chunks } = await chunksOf([large], 65_536);
    const receiver = new TensorReceiver(1 << 30, { pool, copier });
    const outcome = new Promise<TransferOutcome>((resolve) => receiver.expect('req-1', [set], false, resolve));
    chunks.forEach((c) => receiver.accept(inPool(pool, c)));
    await copier.close();
    const result = await outcome;
    expect(result.ok ? undefined : result.error).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('the chunk copier is closed') });
    expect(receiver.size).toBe(0);
  });
});
