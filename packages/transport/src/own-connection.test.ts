import type { NodeClient } from './client';
import type { ResearcherServer } from './server';
import { startNode, startServer } from './__fixtures__/harness';

// Several NodeClients in one process (local nodes, the scale benchmark's workers) must each hold
// their own connection, as node processes do: grpc-js would otherwise multiplex their sessions as
// streams of one shared socket, under one HTTP/2 flow-control window and one stream limit.
describe('NodeClient connections', () => {
  let server: ResearcherServer;
  const nodes: NodeClient[] = [];
  afterEach(async () => {
    nodes.splice(0).forEach((n) => n.stop());
    await server?.stop();
  });

  it('opens one TCP connection per client, even for clients of one process dialling the same address', async () => {
    server = await startServer();
    for (const nodeId of ['a', 'b', 'c']) nodes.push(await startNode(server.port, { nodeId }));
    const peers = server.nodes().map((node) => node.peer);
    expect(peers).toHaveLength(3);
    expect(new Set(peers).size).toBe(3);
  });
});
