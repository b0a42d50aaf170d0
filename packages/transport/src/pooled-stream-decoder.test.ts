import fc from 'fast-check';
// grpc-js's own decoder, taken before any test installs ours in its place: the reference behaviour.
import { StreamDecoder as GrpcStreamDecoder } from '@grpc/grpc-js/build/src/stream-decoder';
import { MessageBufferPool } from './message-buffer-pool';
import { POOLED_MESSAGE_MAX_BYTES, POOLED_MESSAGE_MIN_BYTES, PooledStreamDecoder } from './pooled-stream-decoder';
import { patternBytes } from './__fixtures__/harness';

/** gRPC framing of one message: compressed flag, 4-byte big-endian length, bytes. */
function framed(message: Uint8Array, compressed = false): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(message.byteLength, 1);
  return Buffer.concat([prefix, message]);
}

/** `stream` cut at `cuts` (offsets, any order), fed piece by piece; every message returned, copied. */
function decodeAll(decoder: { write(data: Buffer): Buffer[] }, stream: Buffer, cuts: number[]): Buffer[] {
  const bounds = [...new Set([0, ...cuts.map((c) => c % (stream.length + 1)), stream.length])].sort((a, b) => a - b);
  const out: Buffer[] = [];
  for (let i = 1; i < bounds.length; i += 1) {
    for (const message of decoder.write(stream.subarray(bounds[i - 1], bounds[i]))) out.push(Buffer.from(message));
  }
  return out;
}

/** A pool that counts what it lends. */
class CountingPool extends MessageBufferPool {
  acquired = 0;
  override acquire(length: number): Buffer {
    this.acquired += 1;
    return super.acquire(length);
  }
}

describe('PooledStreamDecoder', () => {
  it("returns exactly the framed messages grpc-js's decoder returns, however the stream is cut", () => {
    const sizeArb = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: POOLED_MESSAGE_MIN_BYTES - 3, max: POOLED_MESSAGE_MIN_BYTES + 3000 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(sizeArb, fc.boolean()), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 40 }), (specs, cuts) => {
        const stream = Buffer.concat(specs.map(([size, compressed], i) => framed(patternBytes(size, i + 1), compressed)));
        const ours = decodeAll(new PooledStreamDecoder(-1, new MessageBufferPool()), stream, cuts);
        const theirs = decodeAll(new GrpcStreamDecoder(-1), stream, cuts);
        expect(ours).toHaveLength(specs.length);
        expect(theirs).toHaveLength(specs.length);
        // Buffer.equals: jest's deep equality walks 64 KiB buffers byte by byte, far too slowly.
        ours.forEach((message, i) => expect(message.equals(theirs[i] as Buffer)).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a message over the limit with grpc-js's error, before reading it", () => {
    const stream = framed(patternBytes(101));
    expect(() => new PooledStreamDecoder(100).write(stream)).toThrow('Received message larger than max (101 vs 100)');
    expect(() => new GrpcStreamDecoder(100).write(stream)).toThrow('Received message larger than max (101 vs 100)');
  });

  it('assembles large messages in pooled buffers that come back for the next message, contents intact', () => {
    const pool = new MessageBufferPool();
    const decoder = new PooledStreamDecoder(-1, pool);
    const first = patternBytes(POOLED_MESSAGE_MIN_BYTES * 4, 1);
    const second = patternBytes(POOLED_MESSAGE_MIN_BYTES * 4 - 10, 2);
    const [one] = decoder.write(framed(first));
    expect(one!.subarray(5).equals(first)).toBe(true);
    pool.release(one!.subarray(5));
    const [two] = decoder.write(framed(second));
    expect(two!.buffer).toBe(one!.buffer);
    expect(two!.subarray(5).equals(second)).toBe(true);
    expect(pool.reusedCount).toBe(1);
  });

  it('gathers a message above the pooled range as it arrives instead of allocating what its prefix declares', () => {
    const pool = new CountingPool();
    const decoder = new PooledStreamDecoder(-1, pool);
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(POOLED_MESSAGE_MAX_BYTES + 1, 1);
    expect(decoder.write(Buffer.concat([prefix, Buffer.alloc(1000)]))).toEqual([]);
    expect(pool.acquired).toBe(0);
    expect(decoder.write(framed(patternBytes(10)))).toEqual([]); // still inside the large message
  });
});

describe('MessageBufferPool', () => {
  it('lends exact lengths and reuses a released buffer only for a fitting size', () => {
    const pool = new MessageBufferPool();
    const a = pool.acquire(100_000);
    expect(a.byteLength).toBe(100_000);
    pool.release(a);
    expect(pool.acquire(10).buffer).not.toBe(a.buffer); // far smaller: a fresh buffer, not 100 kB held for 10 bytes
    const b = pool.acquire(90_000);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteLength).toBe(90_000);
    expect(pool.reusedCount).toBe(1);
  });

  it('ignores views it did not lend, and a second release of the same buffer', () => {
    const pool = new MessageBufferPool();
    pool.release(Buffer.alloc(100_000));
    const a = pool.acquire(100_000);
    expect(pool.reusedCount).toBe(0);
    pool.release(a);
    pool.release(a);
    expect(pool.acquire(100_000).buffer).toBe(a.buffer);
    expect(pool.acquire(100_000).buffer).not.toBe(a.buffer);
  });

  it('keeps at most maxFree buffers', () => {
    const pool = new MessageBufferPool(2);
    const lent = [pool.acquire(70_000), pool.acquire(70_000), pool.acquire(70_000)];
    lent.forEach((b) => pool.release(b));
    [1, 2, 3].forEach(() => pool.acquire(70_000));
    expect(pool.reusedCount).toBe(2);
  });
});
