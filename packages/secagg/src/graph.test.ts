import { SecAggClient } from './client';
import { SecAggError } from './errors';
import { degreeBounds, NeighbourGraph, transcriptDigest, type GraphParameters } from './graph';
import type { AdvertisedKeys } from './messages';
import type { SecAggParameters } from './parameters';
import { SecAggServer } from './server';

/** Fixed, distinct stand-in keys: the transcript hashes bytes, it does not use them as keys. */
function keysOf(participants: readonly string[], salt = 0): AdvertisedKeys[] {
  return participants.map((nodeId, i) => ({
    nodeId,
    cipherPublicKey: Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j + salt) & 0xff),
    maskPublicKey: Uint8Array.from({ length: 32 }, (_, j) => (i * 17 + j * 3 + salt) & 0xff),
  }));
}

function idsOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `node-${String(i).padStart(3, '0')}`);
}

/** Nodes reachable from the first one that is not `removed`. */
function reachable(graph: NeighbourGraph, participants: readonly string[], removed: ReadonlySet<string> = new Set()): Set<string> {
  const start = participants.find((id) => !removed.has(id)) as string;
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const next of graph.neighboursOf(queue.pop() as string)) {
      if (removed.has(next) || seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

describe('SecAgg+ neighbour graph (Harary graph over a transcript-drawn permutation)', () => {
  it.each([5, 10, 16, 33, 100])('with n = %i and k = 2⌈log₂ n⌉, every node has exactly k neighbours, symmetric, connected, and stays connected without any k − 1 nodes', (n) => {
    const participants = idsOf(n);
    const k = Math.min(2 * Math.ceil(Math.log2(n)), n - 1);
    const graph = NeighbourGraph.fromTranscript({ sessionId: `session-${n}`, participants, neighbours: k }, keysOf(participants));
    for (const id of participants) {
      const neighbours = graph.neighboursOf(id);
      expect(neighbours).toHaveLength(k);
      expect(neighbours).not.toContain(id);
      for (const other of neighbours) expect(graph.neighboursOf(other)).toContain(id);
    }
    expect(reachable(graph, participants).size).toBe(n);
    // H(k, n) is k-connected: the k − 1 nodes before and after a position on the ring are its worst cut.
    const removed = new Set(graph.order.slice(0, k - 1));
    expect(reachable(graph, participants, removed).size).toBe(n - removed.size);
  });

  it('for odd k: k-regular when n is even, one node with k + 1 neighbours when n is odd, as degreeBounds says', () => {
    for (const n of [10, 11]) {
      const participants = idsOf(n);
      const graph = NeighbourGraph.fromTranscript({ sessionId: 'session-odd', participants, neighbours: 3 }, keysOf(participants));
      const degrees = participants.map((id) => graph.neighboursOf(id).length);
      const bounds = degreeBounds(n, 3);
      expect(Math.min(...degrees)).toBe(bounds.min);
      expect(Math.max(...degrees)).toBe(bounds.max);
      expect(degrees.filter((d) => d === 4)).toHaveLength(n % 2 === 1 ? 1 : 0);
      expect(reachable(graph, participants).size).toBe(n);
    }
    expect(degreeBounds(6, 9)).toEqual({ min: 5, max: 5 });
  });

  it('is the same for every party whatever order the keys arrive in, and another for any other transcript', () => {
    const participants = idsOf(20);
    const parameters: GraphParameters = { sessionId: 'session-transcript', participants, neighbours: 6 };
    const keys = keysOf(participants);
    const edges = (graph: NeighbourGraph): string[] => participants.map((id) => `${id}:${graph.neighboursOf(id).join(',')}`);
    const base = NeighbourGraph.fromTranscript(parameters, keys);
    expect(edges(NeighbourGraph.fromTranscript(parameters, [...keys].reverse()))).toEqual(edges(base));
    expect(NeighbourGraph.fromTranscript(parameters, keys).order).toEqual(base.order);
    // Not the ring of sorted ids the graph used to be.
    expect(base.order).not.toEqual(participants);

    const oneKeyChanged = keys.map((k, i) => (i === 7 ? { ...k, maskPublicKey: Uint8Array.from(k.maskPublicKey, (b, j) => (j === 0 ? b ^ 1 : b)) } : k));
    const variants = [
      NeighbourGraph.fromTranscript({ ...parameters, sessionId: 'session-transcript-2' }, keys),
      NeighbourGraph.fromTranscript(parameters, oneKeyChanged),
      NeighbourGraph.fromTranscript(parameters, keysOf(participants, 1)),
      NeighbourGraph.fromTranscript(parameters, keys.slice(1)),
    ];
    for (const variant of variants) expect(edges(variant)).not.toEqual(edges(base));
    expect(Buffer.from(transcriptDigest(parameters, oneKeyChanged))).not.toEqual(Buffer.from(transcriptDigest(parameters, keys)));
  });

  it('draws each node\'s ring position uniformly over transcripts', () => {
    const participants = idsOf(6);
    const firsts = new Map<string, number>();
    for (let session = 0; session < 1200; session++) {
      const graph = NeighbourGraph.fromTranscript({ sessionId: `session-uniform-${session}`, participants, neighbours: 2 }, keysOf(participants));
      const first = graph.order[0] as string;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    // Expected 200 each; a binomial(1200, 1/6) lies within ±60 with probability > 0.9999.
    for (const id of participants) expect(Math.abs((firsts.get(id) ?? 0) - 200)).toBeLessThan(60);
  });

  it('a node refuses, with GRAPH_MISMATCH, a neighbour list that is not the transcript\'s, and shares nothing along it', () => {
    const participants = idsOf(8);
    const parameters: SecAggParameters = { sessionId: 'session-forged', participants, threshold: 3, neighbours: 4, clipRange: 1, weightBounds: Object.fromEntries(participants.map((id) => [id, 1])) };
    const clients = participants.map((id) => new SecAggClient(id, parameters));
    const server = new SecAggServer(parameters, 4);
    for (const client of clients) server.receiveKeys(client.advertiseKeys());
    const keys = server.advertisedKeys();
    const [victim, other] = clients as [SecAggClient, SecAggClient];
    const honest = server.neighboursFor(victim.nodeId);
    // The researcher places the victim among four nodes of its choosing.
    const colluders = participants.filter((id) => id !== victim.nodeId && !honest.includes(id)).concat(honest).slice(0, 4);
    expect(colluders).not.toEqual(honest);
    expect(() => victim.shareKeys(keys, colluders)).toThrow(expect.objectContaining({ name: 'SecAggError', code: 'GRAPH_MISMATCH' }) as unknown as SecAggError);
    // The refusal ends the round for this node: no second try along another list.
    expect(() => victim.shareKeys(keys, honest)).toThrow(/OUT_OF_ORDER/);
    expect(() => other.shareKeys(keys, [...server.neighboursFor(other.nodeId)].slice(1))).toThrow(
      new RegExp(`GRAPH_MISMATCH: the researcher lists neighbours \\[.*\\] for node "${other.nodeId}" in session session-forged, but the round's transcript gives \\[${server.neighboursFor(other.nodeId).join(', ')}\\]`),
    );
    // Same list in another order is the same list.
    const third = clients[2] as SecAggClient;
    const shares = third.shareKeys(keys, [...server.neighboursFor(third.nodeId)].reverse());
    expect(shares.map((s) => s.to).sort()).toEqual([...server.neighboursFor(third.nodeId)]);
  });

  it('masks each update with exactly its graph neighbours, and the server rebuilds a dropped node\'s masks along the same graph', () => {
    const participants = idsOf(16);
    const k = 8;
    const parameters: SecAggParameters = { sessionId: 'session-dropout', participants, threshold: 5, neighbours: k, clipRange: 1, weightBounds: Object.fromEntries(participants.map((id) => [id, 1])) };
    const clients = participants.map((id) => new SecAggClient(id, parameters));
    const server = new SecAggServer(parameters, 3);
    for (const client of clients) server.receiveKeys(client.advertiseKeys());
    for (const client of clients) server.receiveShares(client.nodeId, client.shareKeys(server.advertisedKeys(), server.neighboursFor(client.nodeId)));
    const dropped = participants[3] as string;
    const updates = new Map(participants.map((id, i) => [id, Float32Array.of(i / 100, -i / 200, 0.25)]));
    for (const client of clients) {
      if (client.nodeId === dropped) continue;
      server.receiveMaskedInput(client.nodeId, client.maskInput(server.sharesFor(client.nodeId), updates.get(client.nodeId) as Float32Array, 1), 1);
      expect(client.maskingRecord?.maskedWith).toBe(k);
    }
    const request = server.unmaskRequest();
    expect(request.dropped).toEqual([dropped]);
    for (const client of clients) if (client.nodeId !== dropped) server.receiveUnmaskShares(client.nodeId, client.unmask(request));
    const result = server.finish();
    const survivors = participants.filter((id) => id !== dropped);
    const mean = [0, 1, 2].map((c) => survivors.reduce((sum, id) => sum + (updates.get(id)?.[c] as number), 0) / survivors.length);
    mean.forEach((value, c) => expect(Math.abs((result.weightedMean[c] as number) - value)).toBeLessThanOrEqual(result.errorBound));
  });

  it('fixes the graph when the key list goes out: later keys, or shares before it, are out of order', () => {
    const participants = idsOf(3);
    const parameters: SecAggParameters = { sessionId: 'session-order', participants, threshold: 2, neighbours: 2, clipRange: 1, weightBounds: Object.fromEntries(participants.map((id) => [id, 1])) };
    const [a, b] = participants.map((id) => new SecAggClient(id, parameters)) as [SecAggClient, SecAggClient];
    const server = new SecAggServer(parameters, 1);
    server.receiveKeys(a.advertiseKeys());
    expect(() => server.receiveShares(a.nodeId, [])).toThrow(/OUT_OF_ORDER: shares from "node-000" before the key list was sent out/);
    server.advertisedKeys();
    expect(() => server.receiveKeys(b.advertiseKeys())).toThrow(/OUT_OF_ORDER: keys of "node-001" after the key list was sent out/);
  });
});
