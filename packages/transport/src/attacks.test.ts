// Attacks on the researcher's transport, each played by a hand-driven node over real gRPC on
// loopback (docs/security.md lists them): forged tensor headers and chunks, connection floods,
// slowloris peers, enrolment-token handling and plaintext listening. Every loop is bounded.
import { crc32c } from '@node-rs/crc32';
import type { NodeFrame, ResearcherFrame__Output } from '@fedbiomed/proto';
import type { NodeClient } from './client';
import type { TransportError } from './errors';
import type { ResearcherServer } from './server';
import { hashEnrolmentToken } from './server-auth';
import { createNode, hello, openRawSession, recordingLogger, startNode, startServer, until, type RawSession } from './__fixtures__/harness';

/** A raw session that said hello and was admitted. */
async function admittedRawNode(port: number, nodeId: string): Promise<RawSession> {
  const raw = openRawSession(port);
  raw.call.write(hello(nodeId));
  await until(() => raw.frames.some((f) => f.helloAck), 5_000, `${nodeId} admitted`);
  return raw;
}

/** Resolves with the next request frame the researcher sends on `raw`. */
async function nextRequest(raw: RawSession): Promise<NonNullable<ResearcherFrame__Output['request']>> {
  await until(() => raw.frames.some((f) => f.request), 5_000, 'a request');
  return raw.frames.find((f) => f.request)?.request as NonNullable<ResearcherFrame__Output['request']>;
}

/** A float32 tensor header with per-chunk CRC-32C, declaring `values` values. */
function header(name: string, values: number) {
  return { name, dtype: 'DTYPE_FLOAT32' as const, shape: [values], byteLength: values * 4, sha256: Buffer.alloc(0), chunkCrc32c: true };
}

function chunk(transferId: string, offset: number, data: Buffer, tensorIndex = 0): NodeFrame {
  return { chunk: { transferId, tensorIndex, offset, data, crc32c: crc32c(data) } };
}

describe('attacks on the transport (real gRPC on loopback)', () => {
  let server: ResearcherServer | undefined;
  const nodes: NodeClient[] = [];
  const raws: RawSession[] = [];

  afterEach(async () => {
    raws.splice(0).forEach((raw) => raw.close());
    nodes.splice(0).forEach((node) => node.stop());
    await server?.stop();
    server = undefined;
  });

  /** The researcher asks `raw`'s node to train; the node answers with `frames`; resolves with the request's failure. */
  async function forgedReply(raw: RawSession, nodeId: string, frames: (requestId: string) => NodeFrame[]): Promise<TransportError> {
    const pending = (server as ResearcherServer).request(nodeId, { train: { round: 1 } }, { timeoutMs: 10_000 });
    const request = await nextRequest(raw);
    for (const frame of frames(request.requestId)) raw.call.write(frame);
    return pending.then(
      () => {
        throw new Error('the forged reply was accepted');
      },
      (error: TransportError) => error,
    );
  }

  /** The server still serves an honest node: a request with tensors completes. */
  async function stillServes(): Promise<void> {
    const honest = await startNode((server as ResearcherServer).port, { nodeId: 'honest' });
    nodes.push(honest);
    await expect((server as ResearcherServer).request('honest', { ping: { sentAtMs: 1 } }, { timeoutMs: 5_000 })).resolves.toMatchObject({ nodeId: 'honest' });
  }

  describe('forged chunk headers', () => {
    it('refuses a reply declaring a 100 GB tensor before allocating anything, and keeps serving', async () => {
      server = await startServer();
      const raw = await admittedRawNode(server.port, 'forger');
      raws.push(raw);
      const heapBefore = process.memoryUsage().arrayBuffers;
      const error = await forgedReply(raw, 'forger', (requestId) => [
        { reply: { requestId, train: { round: 1, sampleCount: 1, weights: { transferId: 'big', tensors: [header('w', 25_000_000_000)] } } } },
        chunk('big', 0, Buffer.alloc(1024)),
      ]);
      expect(error).toMatchObject({ code: 'TRANSFER_FAILED', nodeId: 'forger' });
      expect(error.message).toContain('declares 100000000000 tensor bytes, above maxTransferBytes');
      // Nothing near the declared size was ever allocated.
      expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(256 * 2 ** 20);
      await stillServes();
    });

    it.each([
      ['an offset beyond the tensor', (id: string) => [chunk(id, 4_000_000, Buffer.alloc(16))], /chunk at offset 4000000 with 16 bytes, expected a non-empty chunk at offset 0/],
      ['a chunk overflowing the declared length', (id: string) => [chunk(id, 0, Buffer.alloc(64))], /chunk overflows the declared 40 bytes/],
      ['overlapping chunks', (id: string) => [chunk(id, 0, Buffer.alloc(16)), chunk(id, 8, Buffer.alloc(16))], /chunk at offset 8 with 16 bytes, expected a non-empty chunk at offset 16/],
      ['a chunk for a tensor index the set does not have', (id: string) => [chunk(id, 0, Buffer.alloc(16), 7)], /chunk for tensor index 7 while tensor 0 of 1 is expected/],
      ['a negative-looking offset (2^64 - 8)', (id: string) => [chunk(id, 0, Buffer.alloc(16)), { chunk: { transferId: id, tensorIndex: 0, offset: '18446744073709551608', data: Buffer.alloc(8), crc32c: crc32c(Buffer.alloc(8)) } }], /expected a non-empty chunk at offset 16/],
    ])('refuses %s as MALFORMED, closing only that session', async (_what, chunks, message) => {
      server = await startServer();
      const raw = await admittedRawNode(server.port, 'forger');
      raws.push(raw);
      const error = await forgedReply(raw, 'forger', (requestId) => [
        { reply: { requestId, train: { round: 1, sampleCount: 1, weights: { transferId: 'w10', tensors: [header('w', 10)] } } } },
        ...chunks('w10'),
      ]);
      expect(error).toMatchObject({ code: 'MALFORMED' });
      expect(error.message).toMatch(message);
      await raw.closed;
      expect(raw.frames.at(-1)?.error?.code).toBe('ERROR_CODE_MALFORMED');
      await stillServes();
    });
  });

  describe('connection floods and slowloris peers', () => {
    it('closes connections beyond maxPendingSessions at once, and admits a node once the flood timed out', async () => {
      server = await startServer({ maxPendingSessions: 4, helloTimeoutMs: 3_000 });
      const flood = Array.from({ length: 12 }, () => openRawSession((server as ResearcherServer).port));
      raws.push(...flood);
      // Each flooding peer opens its stream and sends nothing. The eight beyond the bound are closed
      // at once, while the first four still hold their slot (until helloTimeoutMs).
      const open = new Set(flood);
      for (const raw of flood) void raw.closed.then(() => open.delete(raw));
      await Promise.all(flood.slice(4).map((raw) => raw.closed));
      expect([...open]).toEqual(flood.slice(0, 4));
      for (const raw of flood.slice(4)) expect(raw.frames[0]?.error?.message).toContain('connections waiting for hello (maxPendingSessions 4)');
      await Promise.all(flood.slice(0, 4).map((raw) => raw.closed));
      for (const raw of flood.slice(0, 4)) expect(raw.frames[0]?.error?.message).toContain('no hello within 3000 ms');
      await stillServes();
    });

    it('closes a slowloris connection that sends nothing at all once helloTimeoutMs passed', async () => {
      server = await startServer({ helloTimeoutMs: 200 });
      const raw = openRawSession(server.port);
      raws.push(raw);
      const started = Date.now();
      await raw.closed;
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('drops an admitted node that stops talking after its missed heartbeats, and fails its pending request', async () => {
      server = await startServer({ heartbeatIntervalMs: 100 });
      const raw = await admittedRawNode(server.port, 'silent');
      raws.push(raw);
      const pending = server.request('silent', { ping: { sentAtMs: 1 } });
      await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('missed heartbeats') });
      expect(server.nodes().find((n) => n.id === 'silent')?.state).toBe('offline');
    });

    it('cuts a node trickling its reply one small chunk at a time at the request timeout', async () => {
      server = await startServer({ heartbeatIntervalMs: 100 });
      const raw = await admittedRawNode(server.port, 'trickler');
      raws.push(raw);
      const pending = server.request('trickler', { train: { round: 1 } }, { timeoutMs: 500 });
      const request = await nextRequest(raw);
      raw.call.write({ reply: { requestId: request.requestId, train: { round: 1, sampleCount: 1, weights: { transferId: 'slow', tensors: [header('w', 1_000)] } } } });
      let offset = 0;
      const trickle = setInterval(() => {
        raw.call.write(chunk('slow', offset, Buffer.alloc(4)));
        offset += 4;
      }, 50);
      try {
        await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('did not reply within 500 ms') });
      } finally {
        clearInterval(trickle);
      }
    });
  });

  describe('enrolment tokens', () => {
    it('keeps only SHA-256 hashes: a hashed entry admits the token, and the hash itself is no password', async () => {
      server = await startServer({ enrolmentTokens: { 'node-a': hashEnrolmentToken('s3cret-a') } });
      const refused = createNode(server.port, { nodeId: 'node-a', enrolmentToken: hashEnrolmentToken('s3cret-a') });
      nodes.push(refused);
      await expect(refused.start()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('sent a wrong enrolment token') });
      nodes.push(await startNode(server.port, { nodeId: 'node-a', enrolmentToken: 's3cret-a' }));
      expect(server.nodes().filter((n) => n.state === 'online').map((n) => n.id)).toEqual(['node-a']);
    });

    it('writes the hash as sha256sum does, and refuses a malformed sha256: entry naming it', async () => {
      // printf %s 'abc' | sha256sum
      expect(hashEnrolmentToken('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      await expect(startServer({ enrolmentTokens: ['sha256:abc'] })).rejects.toThrow('"sha256:abc…" starts with sha256: but is not sha256: followed by 64 lowercase hex digits');
    });

    it('refuses a token of another length and a token differing in its last byte alike', async () => {
      server = await startServer({ enrolmentTokens: ['0123456789abcdef'] });
      for (const token of ['0', '0123456789abcdeX', '0123456789abcdef0']) {
        const node = createNode(server.port, { nodeId: `n-${token.length}-${token.at(-1)}`, enrolmentToken: token });
        nodes.push(node);
        await expect(node.start()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      }
    });
  });

  describe('plaintext listening', () => {
    it('warns loudly when serving plaintext on an interface other hosts can reach, not on loopback', async () => {
      const loud = recordingLogger();
      server = await startServer({ host: '0.0.0.0', logger: loud });
      expect(loud.records).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('PLAINTEXT gRPC on 0.0.0.0') }));
      await server.stop();
      const quiet = recordingLogger();
      server = await startServer({ host: '127.0.0.1', logger: quiet });
      expect(quiet.records.filter((r) => r.level === 'warn')).toEqual([]);
    });
  });
});
