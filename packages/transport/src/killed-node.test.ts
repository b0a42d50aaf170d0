import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROTO_DIR } from '@fedbiomed/proto';
import type { NodeClient } from './client';
import type { NodeOutcome, ResearcherServer } from './server';
import { packTensors } from './tensor';
import { patternBytes, startNode, startServer, TOKEN, until } from './__fixtures__/harness';

/** Starts the fixture node in its own process; resolves once the researcher lists it online. */
async function spawnNode(server: ResearcherServer, nodeId: string, mode: 'stall' | 'complete'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, '__fixtures__', 'killable-node.js'), PROTO_DIR, String(server.port), nodeId, TOKEN, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await until(() => server.nodes().some((n) => n.id === nodeId && n.state === 'online'), 15_000, `${nodeId} online`);
  return child;
}

describe('a node process killed in the middle of a transfer', () => {
  let server: ResearcherServer;
  const nodes: NodeClient[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    children.splice(0).forEach((c) => c.kill('SIGKILL'));
    nodes.splice(0).forEach((n) => n.stop());
    await server?.stop();
  });

  it('fails only its own request; the other nodes succeed and a fresh attempt completes', async () => {
    server = await startServer();
    const healthy = ['h-1', 'h-2', 'h-3'];
    nodes.push(...(await Promise.all(healthy.map((nodeId) => startNode(server.port, { nodeId })))));
    const victim = await spawnNode(server, 'victim', 'stall');
    children.push(victim);
    victim.stdout?.on('data', (text: Buffer) => {
      if (text.toString().includes('streaming')) victim.kill('SIGKILL');
    });

    const data = patternBytes(2 << 20, 5);
    const weights = packTensors([{ name: 'w', dtype: 'DTYPE_UINT8', shape: [data.length], data }]);
    const outcomes: NodeOutcome[] = [];
    for await (const outcome of server.requestMany([...healthy, 'victim'], { train: { round: 1, globalWeights: weights.set } }, { tensors: [weights], timeoutMs: 30_000 })) {
      outcomes.push(outcome);
    }
    const byNode = new Map(outcomes.map((o) => [o.nodeId, o]));
    for (const id of healthy) expect(byNode.get(id)?.ok).toBe(true);
    const failed = byNode.get('victim');
    expect(failed?.ok).toBe(false);
    expect(failed?.ok === false && failed.error).toMatchObject({ code: 'UNAVAILABLE', nodeId: 'victim' });
    await until(() => server.nodes().find((n) => n.id === 'victim')?.state === 'offline');

    // The same node id comes back (a restarted process) and its next transfer starts from scratch.
    children.push(await spawnNode(server, 'victim', 'complete'));
    const { reply, tensors } = await server.request('victim', { train: { round: 2, globalWeights: weights.set } }, { tensors: [weights], timeoutMs: 30_000 });
    const back = tensors.get(reply.train?.weights?.transferId ?? '')?.[0];
    expect(back?.data.byteLength).toBe(32 << 20);
    expect(back?.data[12345]).toBe(7);
  }, 60_000);
});
