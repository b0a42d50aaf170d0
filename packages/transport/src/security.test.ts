import { chmodSync, readFileSync, statSync } from 'node:fs';
import { makeTempDir } from '@fedbiomed/test-utils';
import type { NodeClient } from './client';
import type { TransportError } from './errors';
import { createCertificateAuthority, issueCertificate, writePemPair, type PemPair } from './pki';
import type { ResearcherServer } from './server';
import { createNode, hello, openRawSession, recordingLogger, startFakeResearcher, startNode, startServer, TOKEN } from './__fixtures__/harness';

describe('security', () => {
  let ca: PemPair;
  let researcher: PemPair;
  let node1: PemPair;
  let rogue: PemPair;
  let server: ResearcherServer | undefined;
  const nodes: NodeClient[] = [];

  beforeAll(async () => {
    ca = await createCertificateAuthority({ commonName: 'Test CA' });
    researcher = await issueCertificate(ca, { role: 'researcher', commonName: 'localhost' });
    node1 = await issueCertificate(ca, { role: 'node', commonName: 'node-1' });
    const otherCa = await createCertificateAuthority({ commonName: 'Other CA' });
    rogue = await issueCertificate(otherCa, { role: 'node', commonName: 'node-1' });
  });
  afterEach(async () => {
    nodes.splice(0).forEach((n) => n.stop());
    await server?.stop();
    server = undefined;
  });

  /** Starts a node expected to be refused; returns the reason its start() rejected with. */
  async function refusal(options: Parameters<typeof createNode>[1]): Promise<TransportError> {
    const node = createNode((server as ResearcherServer).port, options);
    nodes.push(node);
    return node.start().then(
      () => {
        throw new Error('the node was admitted');
      },
      (error: TransportError) => error,
    );
  }

  it('writes PEM files with a private key readable by its owner only', async () => {
    const dir = makeTempDir();
    try {
      const { certPath, keyPath } = await writePemPair(dir.path, 'node-1', node1);
      expect(readFileSync(certPath, 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(readFileSync(keyPath, 'utf8')).toContain('BEGIN PRIVATE KEY');
      expect(statSync(keyPath).mode & 0o077).toBe(0);
    } finally {
      dir.dispose();
    }
  });

  it('refuses to replace existing PEM files unless asked, and keeps a replaced key private', async () => {
    const dir = makeTempDir();
    try {
      const { keyPath } = await writePemPair(dir.path, 'node-1', node1);
      await expect(writePemPair(dir.path, 'node-1', rogue, { overwrite: false })).rejects.toThrow(`${keyPath.replace(/key$/, 'crt')} already exists`);
      expect(readFileSync(keyPath, 'utf8')).toBe(node1.keyPem);
      chmodSync(keyPath, 0o644);
      await writePemPair(dir.path, 'node-1', rogue);
      expect(readFileSync(keyPath, 'utf8')).toBe(rogue.keyPem);
      expect(statSync(keyPath).mode & 0o077).toBe(0);
    } finally {
      dir.dispose();
    }
  });

  it('serves TLS with a server certificate (token authentication)', async () => {
    server = await startServer({ tls: { certPem: researcher.certPem, keyPem: researcher.keyPem } });
    nodes.push(await startNode(server.port, { nodeId: 'tls-node', tls: { caPem: ca.certPem } }));
    await expect(server.request('tls-node', { ping: { sentAtMs: 1 } })).resolves.toMatchObject({ nodeId: 'tls-node' });
  });

  it('serves mutual TLS and admits the node named by its certificate', async () => {
    server = await startServer({ enrolmentTokens: undefined, tls: { ...researcher, clientCaPem: ca.certPem } });
    nodes.push(await startNode(server.port, { nodeId: 'node-1', enrolmentToken: undefined, tls: { caPem: ca.certPem, ...node1 } }));
    await expect(server.request('node-1', { ping: {} })).resolves.toMatchObject({ nodeId: 'node-1' });
  });

  describe('refusals under mutual TLS', () => {
    beforeEach(async () => {
      server = await startServer({ enrolmentTokens: undefined, tls: { ...researcher, clientCaPem: ca.certPem } });
    });

    it('refuses a certificate from another CA, logs it, and does not retry', async () => {
      const logger = recordingLogger();
      await server?.stop();
      server = await startServer({ enrolmentTokens: undefined, logger, tls: { ...researcher, clientCaPem: ca.certPem } });
      const refused: TransportError[] = [];
      server.on('refused', ({ error }) => refused.push(error));
      const error = await refusal({ nodeId: 'node-1', tls: { caPem: ca.certPem, ...rogue } });
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED', nodeId: 'node-1', remoteCode: 'ERROR_CODE_UNAUTHENTICATED' });
      expect(error.message).toContain("no client certificate signed by the researcher's CA");
      expect(logger.records).toContainEqual(expect.objectContaining({ level: 'warn', message: 'node refused', fields: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(refused).toHaveLength(1);
    });

    it('refuses a node without a client certificate', async () => {
      const error = await refusal({ nodeId: 'node-1', tls: { caPem: ca.certPem } });
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(error.message).toContain('no client certificate');
    });

    it('refuses a node claiming an id its certificate does not name', async () => {
      const error = await refusal({ nodeId: 'node-2', tls: { caPem: ca.certPem, ...node1 } });
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED', nodeId: 'node-2' });
      expect(error.message).toContain('node claims id "node-2" but its certificate names "node-1"');
    });
  });

  describe('refusals without TLS', () => {
    it('refuses a missing token, a wrong token and a node that is not enrolled', async () => {
      server = await startServer({ enrolmentTokens: { 'node-a': 'secret-a' } });
      expect((await refusal({ nodeId: 'node-a', enrolmentToken: undefined })).message).toContain('sent no enrolment token');
      expect((await refusal({ nodeId: 'node-a', enrolmentToken: 'secret-b' })).message).toContain('sent a wrong enrolment token');
      const unknown = await refusal({ nodeId: 'node-z', enrolmentToken: 'secret-a' });
      expect(unknown).toMatchObject({ code: 'UNKNOWN_NODE' });
      nodes.push(await startNode(server.port, { nodeId: 'node-a', enrolmentToken: 'secret-a' }));
      expect(server.nodes().map((n) => n.id)).toEqual(['node-a']);
    });

    it('refuses a node speaking another protocol major version, saying which side to upgrade', async () => {
      server = await startServer();
      const raw = openRawSession(server.port);
      raw.call.write(hello('future-node', { version: { major: 2, minor: 0 } }));
      const status = await raw.closed;
      expect(raw.frames[0]?.error).toMatchObject({ code: 'ERROR_CODE_VERSION_MISMATCH' });
      expect(raw.frames[0]?.error?.message).toContain('upgrade the researcher');
      expect(status.code).not.toBe(0);
    });

    it('makes the node refuse a researcher speaking another major version, for good', async () => {
      let sessions = 0;
      const fake = await startFakeResearcher((call) => {
        sessions += 1;
        call.on('error', () => undefined);
        call.once('data', () => call.write({ helloAck: { researcherId: 'old', version: { major: 0, minor: 9 }, heartbeatIntervalMs: 1000 } }));
      });
      const node = createNode(fake.port, { nodeId: 'n', enrolmentToken: TOKEN });
      nodes.push(node);
      const error = (await node.start().catch((e: unknown) => e)) as TransportError;
      expect(error).toMatchObject({ code: 'VERSION_MISMATCH' });
      expect(error.message).toContain('upgrade the researcher');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sessions).toBe(1);
      fake.stop();
    });

    it('requires some node authentication to be configured', async () => {
      await expect(startServer({ enrolmentTokens: undefined })).rejects.toThrow('configure enrolmentTokens or mutual TLS');
    });
  });

  it('closes a connection that never says hello', async () => {
    server = await startServer({ helloTimeoutMs: 50 });
    const raw = openRawSession(server.port);
    raw.call.write({ heartbeat: { seq: 1 } });
    await raw.closed;
    expect(raw.frames[0]?.error).toMatchObject({ code: 'ERROR_CODE_MALFORMED' });
    expect(raw.frames[0]?.error?.message).toContain('first frame must be hello');
    const silent = openRawSession(server.port);
    silent.call.write({}); // an empty frame is malformed too
    await silent.closed;
    expect(silent.frames[0]?.error?.message).toContain('first frame must be hello, got an empty frame');
  });
});
