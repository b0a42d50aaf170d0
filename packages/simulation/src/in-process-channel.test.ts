import { getEventListeners, getMaxListeners } from 'node:events';
import { openBreastCancer, type Dataset } from '@fedbiomed/datasets';
import { createVirtualNode, type VirtualNode } from '@fedbiomed/node';
import { bundledDataset } from '@fedbiomed/test-utils';
import { InProcessChannel } from './in-process-channel';

let wdbc: Dataset;
beforeAll(async () => {
  wdbc = await openBreastCancer({ dir: bundledDataset('breast_cancer_wisconsin') });
});

/** A virtual node whose requests take `delayMs` longer than its handlers do, as a slow real node would. */
function slowNode(nodeId: string, delayMs: number): VirtualNode {
  const virtual = createVirtualNode({ nodeId, datasets: [{ tags: ['wdbc'], dataset: wdbc }] });
  return {
    node: virtual.node,
    dispatcher: {
      ...virtual.dispatcher,
      handle: async (...args) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return virtual.dispatcher.handle(...args);
      },
    },
  };
}

describe('InProcessChannel', () => {
  it('runs one node at a time and starts a request\'s timeout when its node starts on it', async () => {
    const channel = new InProcessChannel([slowNode('a', 200), slowNode('b', 200), slowNode('c', 200)]);
    // Together 600 ms, each 200 ms: a deadline counted from the call would cut b and c at 300 ms.
    const replies = await Promise.all(['a', 'b', 'c'].map((id) => channel.request(id, { ping: { sentAtMs: 1 } }, { timeoutMs: 300 })));
    expect(replies.map((reply) => [reply.nodeId, reply.reply.body, reply.reply.ping?.sentAtMs])).toEqual([
      ['a', 'ping', 1],
      ['b', 'ping', 1],
      ['c', 'ping', 1],
    ]);
  });

  it('shares a round\'s signal among 30 concurrent requests within its listener limit', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `n${i}`);
    const channel = new InProcessChannel(ids.map((id) => slowNode(id, 50)), { concurrency: 30 });
    const round = new AbortController();
    let mostListeners = 0;
    const count = setInterval(() => (mostListeners = Math.max(mostListeners, getEventListeners(round.signal, 'abort').length)), 5);
    await Promise.all(ids.map((id) => channel.request(id, { ping: {} }, { signal: round.signal })));
    clearInterval(count);
    // Node warns (MaxListenersExceededWarning) past the limit; jest's sandbox hides that, so the limit is checked.
    expect(mostListeners).toBeGreaterThan(10);
    expect(getMaxListeners(round.signal)).toBeGreaterThanOrEqual(mostListeners);
  });

  it('times a slow node out, and names an unknown one', async () => {
    const channel = new InProcessChannel([slowNode('a', 300)]);
    await expect(channel.request('a', { ping: {} }, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT', message: 'node "a" did not reply within 50 ms' });
    await expect(channel.request('zz', { ping: {} })).rejects.toMatchObject({ code: 'NODE_OFFLINE', message: 'no virtual node "zz" in this simulation' });
  });

  it('answers a search with the node\'s own handler, decoded as from the wire', async () => {
    const channel = new InProcessChannel([slowNode('a', 0)]);
    const { reply } = await channel.request('a', { search: { tags: ['wdbc'] } });
    expect(reply.search?.datasets.map((d) => [d.id, d.sampleCount, d.featureShape])).toEqual([['a-dataset-0', 569, [30]]]);
    expect(channel.nodes().map((n) => [n.id, n.state])).toEqual([['a', 'online']]);
  });
});
