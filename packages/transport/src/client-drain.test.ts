import type { NodeClient } from './client';
import type { HandlerResult } from './client-session';
import type { ResearcherServer } from './server';
import { packTensors } from './tensor';
import { patternBytes, startNode, startServer, until } from './__fixtures__/harness';

/** A handler whose reply (a tensor of `bytes`) is held until `release()`; `started` once it runs. */
function gatedHandler(bytes: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const started: string[] = [];
  const data = patternBytes(bytes, 5);
  const handler = async (_request: unknown, _tensors: unknown, context: { requestId: string }): Promise<HandlerResult> => {
    started.push(context.requestId);
    await gate;
    const weights = packTensors([{ name: 'w', dtype: 'DTYPE_UINT8', shape: [bytes], data }]);
    return { reply: { train: { round: 1, weights: weights.set } }, tensors: [weights] };
  };
  return { handler, release, started, data };
}

describe('NodeClient#drain', () => {
  let server: ResearcherServer;
  let node: NodeClient | undefined;
  afterEach(async () => {
    node?.stop();
    await server?.stop();
  });

  it('resolves only once the in-flight reply reached the researcher, then leaves without reconnecting', async () => {
    server = await startServer();
    const gated = gatedHandler(4 * 2 ** 20);
    node = await startNode(server.port, { nodeId: 'draining', handler: gated.handler, chunkSizeBytes: 64 * 1024 });
    const disconnects: unknown[] = [];
    node.on('disconnected', (event) => disconnects.push(event));
    let arrived: Uint8Array | undefined;
    const request = server.request('draining', { requestId: 'r1', ping: {} }).then((reply) => {
      arrived = reply.tensors.get(reply.reply.train?.weights?.transferId ?? '')?.[0]?.data;
    });
    await until(() => gated.started.length === 1);
    const drained = node.drain();
    const again = node.drain(); // a second SIGTERM
    gated.release();
    await Promise.all([drained, again]);
    expect(arrived && Buffer.from(arrived).equals(Buffer.from(gated.data))).toBe(true);
    await request;
    expect(node.connected).toBe(false);
    expect(server.nodes()).toEqual([expect.objectContaining({ id: 'draining', state: 'offline', offlineReason: 'the node closed its session' })]);
    expect(disconnects).toEqual([]);
  });

  it('answers requests arriving while draining with SHUTTING_DOWN, and still finishes the one in flight', async () => {
    server = await startServer();
    const gated = gatedHandler(1024);
    node = await startNode(server.port, { nodeId: 'busy', handler: gated.handler });
    const first = server.request('busy', { requestId: 'first', ping: {} });
    await until(() => gated.started.length === 1);
    const drained = node.drain();
    const global = packTensors([{ name: 'g', dtype: 'DTYPE_UINT8', shape: [3000], data: patternBytes(3000) }]);
    await expect(server.request('busy', { requestId: 'late', train: { round: 2, globalWeights: global.set } }, { tensors: [global] })).rejects.toMatchObject({
      code: 'REMOTE_ERROR',
      requestId: 'late',
      remoteCode: 'ERROR_CODE_SHUTTING_DOWN',
    });
    gated.release();
    await drained;
    await expect(first).resolves.toMatchObject({ nodeId: 'busy' });
    expect(gated.started).toEqual(['first']);
  });

  it('resolves at once with nothing in flight or no session, and stops the client', async () => {
    server = await startServer();
    node = await startNode(server.port, { nodeId: 'idle' });
    await node.drain();
    expect(node.connected).toBe(false);
    await until(() => server.nodes()[0]?.state === 'offline');
    await expect(node.drain()).resolves.toBeUndefined();
  });

  it('gives up with TIMEOUT when a handler does not finish, aborting it and stopping the client', async () => {
    server = await startServer();
    const started: string[] = [];
    const aborted: unknown[] = [];
    const handler = (_r: unknown, _t: unknown, context: { signal: AbortSignal; requestId: string }) =>
      new Promise<never>((_resolve, reject) => {
        started.push(context.requestId);
        context.signal.addEventListener('abort', () => reject(aborted.push(context.signal.reason)));
      });
    node = await startNode(server.port, { nodeId: 'stuck', handler });
    const pending = server.request('stuck', { requestId: 's', ping: {} }).catch((error: unknown) => error);
    await until(() => started.length === 1);
    await expect(node.drain({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT', nodeId: 'stuck' });
    expect(node.connected).toBe(false);
    expect(aborted).toHaveLength(1);
    await expect(pending).resolves.toMatchObject({ code: 'UNAVAILABLE', nodeId: 'stuck' });
    await expect(node.drain({ timeoutMs: -1 })).rejects.toThrow('timeoutMs must be a non-negative number');
  });
});
