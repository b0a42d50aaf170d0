// What the node client tells its operator about its connection, over real gRPC on loopback.
import { freePort } from '@fedbiomed/test-utils';
import type { NodeClient } from './client';
import { connectionCause, reconnectMessage } from './connection-log';
import { TransportError } from './errors';
import { createNode, recordingLogger, startServer, until } from './__fixtures__/harness';
import type { ResearcherServer } from './server';

describe('connection log lines of the node client', () => {
  const clients: NodeClient[] = [];
  let server: ResearcherServer | undefined;
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.stop());
    await server?.stop();
    server = undefined;
  });

  it('names the address, the socket error, the retry number and the wait while the researcher is unreachable', async () => {
    const port = await freePort();
    const logger = recordingLogger();
    // random() = 0.5 makes the waits half the backoff bounds: 0.5 s, then 1.0 s.
    const client = createNode(port, { nodeId: 'n-unreachable', logger, random: () => 0.5, backoff: { baseMs: 1_000, capMs: 30_000 } });
    clients.push(client);
    client.start().catch(() => undefined);
    await until(() => logger.records.filter((r) => r.fields['event'] === 'reconnecting').length >= 2, 10_000, 'two retries');
    const retries = logger.records.filter((r) => r.fields['event'] === 'reconnecting');
    expect(retries.map((r) => r.message)).toEqual([
      `researcher at 127.0.0.1:${port} unreachable (ECONNREFUSED); retry 1 in 0.5 s`,
      `researcher at 127.0.0.1:${port} unreachable (ECONNREFUSED); retry 2 in 1.0 s`,
    ]);
    expect(retries[0]).toMatchObject({
      level: 'info',
      fields: { address: `127.0.0.1:${port}`, nodeId: 'n-unreachable', code: 'UNAVAILABLE', cause: 'ECONNREFUSED', attempt: 1, retryInMs: 500 },
    });
  });

  it('says when an accepted session is lost, and logs the connection with address and node name', async () => {
    server = await startServer({ researcherId: 'researcher-x' });
    const logger = recordingLogger();
    const client = createNode(server.port, { nodeId: 'n-lost', nodeName: 'Hospital L', logger, random: () => 0 });
    clients.push(client);
    await client.start();
    const address = `127.0.0.1:${server.port}`;
    expect(logger.records.find((r) => r.fields['event'] === 'connected')).toMatchObject({
      level: 'info',
      message: `connected to researcher researcher-x at ${address} as Hospital L (n-lost)`,
      fields: { address, nodeId: 'n-lost', nodeName: 'Hospital L', researcherId: 'researcher-x' },
    });
    await server.stop();
    server = undefined;
    await until(() => logger.records.some((r) => r.fields['event'] === 'reconnecting'), 10_000, 'a retry');
    expect(logger.records.find((r) => r.fields['event'] === 'reconnecting')?.message).toMatch(
      new RegExp(`^session with researcher at ${address.replace(/\./g, '\\.')} lost \\(.+\\); retry 1 in 0\\.0 s$`),
    );
  });

  it('keeps a reason without a socket error code, minus grpc-js prefix and empty resolution note', () => {
    const reason = new TransportError('UNAVAILABLE', 'gRPC stream failed: Connection dropped. Resolution note: ');
    expect(connectionCause(reason)).toBe('Connection dropped.');
    expect(connectionCause(new TransportError('UNAVAILABLE', 'researcher silent for 30000 ms (missed heartbeats)'))).toBe(
      'researcher silent for 30000 ms (missed heartbeats)',
    );
    expect(reconnectMessage({ address: 'h:1', reason, wasConnected: false, attempt: 3, retryInMs: 4_000 })).toBe(
      'researcher at h:1 unreachable (Connection dropped.); retry 3 in 4.0 s',
    );
  });
});
