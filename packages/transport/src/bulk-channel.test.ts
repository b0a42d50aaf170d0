import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { Request__Output, TensorSet } from '@fedbiomed/proto';
import { BULK_CAPABILITY, lineOf, readLine, type BulkRequestLine } from './bulk-body';
import { BulkServer, type UploadDelivery } from './bulk-server';
import type { NodeClient } from './client';
import { systemClock } from './clock';
import type { TransportError } from './errors';
import { createCertificateAuthority, issueCertificate, type PemPair } from './pki';
import type { ResearcherServer } from './server';
import { packTensors, type Tensor, type TensorPayload } from './tensor';
import { hello, openRawSession, patternBytes, recordingLogger, startNode, startServer, until, type LogRecord, type RawSession } from './__fixtures__/harness';

const MiB = 2 ** 20;

/** Two tensors, 3 MiB and 2 MiB + 4 bytes, of pseudo-random bytes. */
function modelTensors(seed: number): Tensor[] {
  return [
    { name: 'w', dtype: 'DTYPE_FLOAT32', shape: [3 * MiB / 4], data: patternBytes(3 * MiB, seed) },
    { name: 'b', dtype: 'DTYPE_UINT8', shape: [2 * MiB + 4], data: patternBytes(2 * MiB + 4, seed + 1) },
  ];
}

function trainRequest(global: TensorPayload) {
  return { train: { round: 1, globalWeights: global.set } };
}

function bulkLines(records: LogRecord[], message: string): unknown[] {
  return records.filter((r) => r.message === message).map((r) => r.fields['transferId']);
}

/** What one request to a bulk port answers: its answer line and the bytes after it. */
async function bulkRequest(
  port: number,
  request: Omit<BulkRequestLine, 'method'> & { method: string },
  body?: Uint8Array,
  tlsOptions?: tls.ConnectionOptions,
): Promise<{ status: number; body: Buffer; reason: unknown }> {
  const tcp = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const socket = tlsOptions ? tls.connect({ socket: tcp, ...tlsOptions }) : tcp;
  try {
    await once(socket, tlsOptions ? 'secureConnect' : 'connect');
    socket.write(lineOf(request as BulkRequestLine));
    const answered = readLine(socket);
    if (body) socket.write(body);
    socket.end();
    const answer = await answered;
    socket.resume();
    const parts: Buffer[] = [];
    socket.on('data', (part: Buffer) => parts.push(part));
    await once(socket, 'end');
    return { status: Number(answer['status']), reason: answer['reason'], body: Buffer.concat(parts) };
  } finally {
    socket.destroy();
  }
}

describe('bulk tensor channel', () => {
  let server: ResearcherServer | undefined;
  const nodes: NodeClient[] = [];
  afterEach(async () => {
    nodes.splice(0).forEach((n) => n.stop());
    await server?.stop();
    server = undefined;
  });

  it('moves a multi-MB tensor set to the node and its reply back through the bulk port, intact', async () => {
    const logger = recordingLogger();
    server = await startServer({ bulk: { minBytes: MiB }, logger });
    nodes.push(await startNode(server.port, { nodeId: 'node-1' }));
    expect(server.nodes()[0]?.capabilities).toContain(BULK_CAPABILITY);
    const global = packTensors(modelTensors(7));
    const { reply, tensors } = await server.request('node-1', trainRequest(global), { tensors: [global], timeoutMs: 30_000 });
    const back = tensors.get(reply.train?.weights?.transferId ?? '') ?? [];
    expect(back.map((t) => [t.name, t.data.byteLength])).toEqual([['w', 3 * MiB], ['b', 2 * MiB + 4]]);
    back.forEach((t, i) => expect(Buffer.from(t.data).equals(Buffer.from(global.tensors[i]!.data.map((x) => (x + 1) & 0xff)))).toBe(true));
    // Both directions went through the bulk port, not as chunks on the session.
    expect(bulkLines(logger.records, 'bulk download served')).toEqual([global.set.transferId]);
    expect(bulkLines(logger.records, 'bulk upload received')).toEqual([reply.train?.weights?.transferId]);
  });

  it('falls back to chunks on the session when the researcher runs no bulk channel, or the node opts out', async () => {
    for (const [serverBulk, nodeBulk] of [[false, true], [true, false]] as const) {
      const logger = recordingLogger();
      server = await startServer({ bulk: serverBulk && { minBytes: MiB }, logger });
      const node = await startNode(server.port, { nodeId: 'node-1', bulk: nodeBulk });
      const global = packTensors(modelTensors(3));
      const { reply, tensors } = await server.request('node-1', trainRequest(global), { tensors: [global], timeoutMs: 30_000 });
      const back = tensors.get(reply.train?.weights?.transferId ?? '') ?? [];
      expect(Buffer.from(back[0]!.data).equals(Buffer.from(global.tensors[0]!.data.map((x) => (x + 1) & 0xff)))).toBe(true);
      expect(bulkLines(logger.records, 'bulk download served')).toEqual([]);
      expect(bulkLines(logger.records, 'bulk upload received')).toEqual([]);
      node.stop();
      await server.stop();
      server = undefined;
    }
  });

  it('fails only that request, with the reason, when the node cannot reach the bulk port; the session goes on', async () => {
    server = await startServer({ bulk: { minBytes: MiB } });
    nodes.push(await startNode(server.port, { nodeId: 'node-1' }));
    // As a firewall closing the bulk port would: the offer was made, the port no longer answers.
    await (server as unknown as { bulkServer: BulkServer }).bulkServer.stop();
    const global = packTensors(modelTensors(13));
    const failure = await server.request('node-1', trainRequest(global), { tensors: [global], timeoutMs: 30_000 }).catch((error: TransportError) => error);
    expect((failure as TransportError).code).toBe('REMOTE_ERROR');
    expect((failure as TransportError).message).toMatch(/: cannot reach the researcher's bulk port 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect((await server.request('node-1', { ping: { sentAtMs: 1 } }, { timeoutMs: 10_000 })).reply.ping?.sentAtMs).toBe(1);
  });

  it('keeps small tensor sets on the session', async () => {
    const logger = recordingLogger();
    server = await startServer({ bulk: { minBytes: 64 * MiB }, logger });
    nodes.push(await startNode(server.port, { nodeId: 'node-1' }));
    const global = packTensors(modelTensors(5));
    await server.request('node-1', trainRequest(global), { tensors: [global], timeoutMs: 30_000 });
    expect(bulkLines(logger.records, 'bulk download served')).toEqual([]);
  });

  describe('one-time tokens', () => {
    let bulk: BulkServer;
    let port: number;
    const payload = packTensors(modelTensors(11));
    beforeEach(async () => {
      bulk = new BulkServer({ host: '127.0.0.1', tls: undefined, clock: systemClock, logger: recordingLogger(), tokenTtlMs: 2_000 });
      port = await bulk.start();
    });
    afterEach(() => bulk.stop());

    it('serves a body once, to its node only: a reused, unknown or other node\'s token is refused', async () => {
      const transfer = bulk.offer('node-1', payload);
      expect(Buffer.from(transfer.token, 'base64url').byteLength).toBe(32);
      const wrongNode = bulk.offer('node-1', payload);
      expect((await bulkRequest(port, { method: 'GET', token: wrongNode.token, nodeId: 'node-2' })).reason).toBe(
        'the token belongs to node "node-1", not "node-2"',
      );
      const first = await bulkRequest(port, { method: 'GET', token: transfer.token, nodeId: 'node-1' });
      expect(first.status).toBe(200);
      expect(createHash('sha256').update(first.body).digest().equals(transfer.sha256 as Buffer)).toBe(true);
      expect(first.body.byteLength).toBe(transfer.byteLength);
      for (const token of [transfer.token, wrongNode.token, 'made-up-token']) {
        const again = await bulkRequest(port, { method: 'GET', token: token, nodeId: 'node-1' });
        expect([again.status, again.reason]).toEqual([403, 'unknown, used or expired bulk token']);
      }
      expect(bulk.size).toBe(0);
    });

    it('refuses an expired token', async () => {
      const short = new BulkServer({ host: '127.0.0.1', tls: undefined, clock: systemClock, logger: recordingLogger(), tokenTtlMs: 50 });
      const shortPort = await short.start();
      try {
        const transfer = short.offer('node-1', payload);
        await new Promise((resolve) => setTimeout(resolve, 150));
        const late = await bulkRequest(shortPort, { method: 'GET', token: transfer.token, nodeId: 'node-1' });
        expect(late.status).toBe(403);
      } finally {
        await short.stop();
      }
    });

    /** Registers an upload of `declared` bytes and returns what the researcher was handed. */
    function expectUpload(declared: Uint8Array, token: string): Promise<Parameters<UploadDelivery>[0]> {
      return new Promise((resolve) => {
        const sha256 = createHash('sha256').update(declared).digest();
        bulk.expectUpload('node-1', { transferId: 't-1', token, byteLength: declared.byteLength, sha256 }, resolve);
      });
    }

    it('takes an upload that matches its announced size and digest', async () => {
      const bytes = patternBytes(MiB + 3, 9);
      const delivered = expectUpload(bytes, 'tok-ok');
      const answer = await bulkRequest(port, { method: 'POST', token: 'tok-ok', nodeId: 'node-1', contentLength: bytes.byteLength }, bytes);
      expect(answer.status).toBe(200);
      const outcome = await delivered;
      expect(outcome.ok && Buffer.from(outcome.body).equals(Buffer.from(bytes))).toBe(true);
    });

    it('refuses an upload larger than announced, and one whose bytes are not the announced ones, handing nothing on', async () => {
      const bytes = patternBytes(MiB, 4);
      const tooLong = expectUpload(bytes, 'tok-long');
      const answer = await bulkRequest(port, { method: 'POST', token: 'tok-long', nodeId: 'node-1', contentLength: MiB }, patternBytes(2 * MiB, 4));
      expect(answer.status).toBe(422);
      const long = await tooLong;
      expect(long.ok ? 'delivered' : [long.error.code, long.error.message]).toEqual([
        'TRANSFER_FAILED',
        `bulk transfer "t-1": the body carries more than the declared ${MiB} bytes`,
      ]);
      const forged = expectUpload(bytes, 'tok-forged');
      const other = await bulkRequest(port, { method: 'POST', token: 'tok-forged', nodeId: 'node-1', contentLength: MiB }, patternBytes(MiB, 5));
      expect(other.reason).toBe('bulk transfer "t-1": SHA-256 mismatch: the body is not the one announced');
      const outcome = await forged;
      expect(outcome.ok ? 'delivered' : outcome.error.code).toBe('TRANSFER_FAILED');
    });
  });

  describe('a node that lies about its upload', () => {
    let raw: RawSession | undefined;
    afterEach(() => raw?.close());

    /** A hand-driven node that announced the bulk capability and answers train requests with `answer`. */
    async function liar(answer: (request: Request__Output, offerPort: number) => Promise<void>): Promise<void> {
      raw = openRawSession((server as ResearcherServer).port);
      const session = raw;
      session.call.write(hello('node-1', { capabilities: [BULK_CAPABILITY] }));
      await until(() => session.frames.some((f) => f.kind === 'bulkOffer'), 10_000, 'bulk offer');
      const port = session.frames.find((f) => f.kind === 'bulkOffer')?.bulkOffer?.port ?? 0;
      session.call.on('data', (frame: { kind?: string; request?: Request__Output }) => {
        const request = frame.request;
        if (frame.kind !== 'request' || !request) return;
        if (request.body === 'ping') session.call.write({ reply: { requestId: request.requestId, nodeId: 'node-1', ping: { sentAtMs: 0, nodeTimeMs: 1 } } });
        else void answer(request, port);
      });
    }

    function replySet(bytes: Uint8Array): TensorSet & { transferId: string } {
      return packTensors([{ name: 'w', dtype: 'DTYPE_UINT8', shape: [bytes.byteLength], data: bytes }], 'reply-1').set;
    }

    it('fails that reply with TRANSFER_FAILED when the bytes differ from the announced ones, and the session goes on', async () => {
      server = await startServer({ bulk: { minBytes: 1 } });
      const announced = patternBytes(MiB, 1);
      await liar(async (request, port) => {
        const token = 'liar-token-'.padEnd(43, 'x');
        raw?.call.write({ reply: { requestId: request.requestId, nodeId: 'node-1', train: { round: 1, weights: replySet(announced) } } });
        raw?.call.write({ bulk: { transferId: 'reply-1', token, byteLength: MiB, sha256: createHash('sha256').update(announced).digest() } });
        await bulkRequest(port, { method: 'POST', token, nodeId: 'node-1', contentLength: MiB }, patternBytes(MiB, 2));
      });
      const failure = await server.request('node-1', { train: { round: 1 } }, { timeoutMs: 10_000 }).catch((error: TransportError) => error);
      expect([(failure as TransportError).code, (failure as TransportError).message]).toEqual(['TRANSFER_FAILED', 'bulk transfer "reply-1": SHA-256 mismatch: the body is not the one announced']);
      const pong = await server.request('node-1', { ping: { sentAtMs: 1 } }, { timeoutMs: 10_000 });
      expect(pong.reply.ping?.nodeTimeMs).toBe(1);
    });

    it('fails that reply when the announced size is not what its tensor headers declare', async () => {
      server = await startServer({ bulk: { minBytes: 1 } });
      const announced = patternBytes(MiB, 1);
      await liar(async (request) => {
        raw?.call.write({ reply: { requestId: request.requestId, nodeId: 'node-1', train: { round: 1, weights: replySet(announced) } } });
        raw?.call.write({ bulk: { transferId: 'reply-1', token: 't'.repeat(43), byteLength: 2 * MiB, sha256: Buffer.alloc(32) } });
      });
      const failure = await server.request('node-1', { train: { round: 1 } }, { timeoutMs: 10_000 }).catch((error: TransportError) => error);
      expect((failure as TransportError).message).toBe(`bulk transfer "reply-1" announces ${2 * MiB} bytes, its tensor headers declare ${MiB}`);
      expect((await server.request('node-1', { ping: { sentAtMs: 1 } }, { timeoutMs: 10_000 })).reply.ping?.nodeTimeMs).toBe(1);
    });
  });

  describe('under mutual TLS', () => {
    let ca: PemPair;
    let researcher: PemPair;
    let node1: PemPair;
    let node2: PemPair;
    beforeAll(async () => {
      ca = await createCertificateAuthority({ commonName: 'Bulk test CA' });
      researcher = await issueCertificate(ca, { role: 'researcher', commonName: 'localhost' });
      node1 = await issueCertificate(ca, { role: 'node', commonName: 'node-1' });
      node2 = await issueCertificate(ca, { role: 'node', commonName: 'node-2' });
    });

    it('round-trips over TLS, and refuses a peer without a client certificate or with another node\'s', async () => {
      const logger = recordingLogger();
      server = await startServer({ tls: { ...researcher, clientCaPem: ca.certPem }, enrolmentTokens: undefined, bulk: { minBytes: MiB }, logger });
      nodes.push(await startNode(server.port, { nodeId: 'node-1', enrolmentToken: undefined, tls: { caPem: ca.certPem, ...node1, serverName: 'localhost' } }));
      const global = packTensors(modelTensors(21));
      const { reply, tensors } = await server.request('node-1', trainRequest(global), { tensors: [global], timeoutMs: 30_000 });
      expect(tensors.get(reply.train?.weights?.transferId ?? '')?.[1]?.data.byteLength).toBe(2 * MiB + 4);
      expect(bulkLines(logger.records, 'bulk download served')).toHaveLength(1);
      expect(bulkLines(logger.records, 'bulk upload received')).toHaveLength(1);

      const bulkPort = (logger.records.find((r) => r.message === 'researcher bulk channel listening')?.fields['port'] as number);
      const noCert = await bulkRequest(bulkPort, { method: 'GET', token: 'x', nodeId: 'node-1' }, undefined, { ca: ca.certPem, servername: 'localhost' }).catch((error: Error) => error);
      expect(String(noCert)).toMatch(/alert certificate required/);
      const tokenOfNode1 = (server as unknown as { bulkServer: BulkServer }).bulkServer.offer('node-1', global).token;
      const stolen = await bulkRequest(bulkPort, { method: 'GET', token: tokenOfNode1, nodeId: 'node-1' }, undefined, {
        ca: ca.certPem,
        servername: 'localhost',
        cert: node2.certPem,
        key: node2.keyPem,
      });
      expect([stolen.status, stolen.reason]).toEqual([403, 'the token belongs to node "node-1" but the client certificate names "node-2"']);
    });
  });
});
