import { SecAggClient } from './client';
import { SecAggError } from './errors';
import { runSecAggInProcess, type InProcessNode } from './in-process';
import { fixedPointScale, quantizationErrorBound, type SecAggParameters } from './parameters';
import { SecAggServer } from './server';
import { combineShares, splitSecret } from './shamir';

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function nodesOf(count: number, length: number, seed = 1): InProcessNode[] {
  const random = rng(seed);
  return Array.from({ length: count }, (_, i) => ({
    nodeId: `node-${String(i).padStart(2, '0')}`,
    update: Float32Array.from({ length }, () => (random() * 2 - 1) * 0.5),
    weight: 10 + Math.floor(random() * 90),
  }));
}

function parametersFor(nodes: readonly InProcessNode[], overrides: Partial<SecAggParameters> = {}): SecAggParameters {
  return {
    sessionId: 'session-test-0001',
    participants: nodes.map((n) => n.nodeId).sort(),
    threshold: Math.floor(nodes.length / 2) + 1,
    neighbours: nodes.length - 1,
    clipRange: 1,
    weightBounds: Object.fromEntries(nodes.map((n) => [n.nodeId, 100])),
    ...overrides,
  };
}

function plainMean(nodes: readonly InProcessNode[]): Float64Array {
  const total = nodes.reduce((sum, n) => sum + n.weight, 0);
  const mean = new Float64Array(nodes[0]?.update.length ?? 0);
  for (const node of nodes) node.update.forEach((v, i) => (mean[i] = (mean[i] as number) + (v * node.weight) / total));
  return mean;
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (b[i] as number)))));
  return worst;
}

describe('Shamir sharing over 2^521 − 1', () => {
  it('rebuilds a secret from any threshold shares and not from fewer', () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const shares = splitSecret(secret, 3, [1, 2, 3, 4, 5]);
    expect(Buffer.from(combineShares([shares[4]!, shares[1]!, shares[2]!], 3))).toEqual(Buffer.from(secret));
    expect(() => combineShares(shares.slice(0, 2), 3)).toThrow(/TOO_MANY_DROPOUTS/);
  });
});

describe('secure aggregation round', () => {
  it('equals plain FedAvg up to the stated quantisation bound', () => {
    const nodes = nodesOf(6, 1000);
    const parameters = parametersFor(nodes);
    const result = runSecAggInProcess(parameters, nodes);
    const bound = quantizationErrorBound(parameters, nodes.length, result.weightSum);
    expect(result.errorBound).toBe(bound);
    // The bound is tight enough to matter: n / (2 s Σw), float32-level for these sizes.
    expect(bound).toBeLessThan(1e-8);
    const difference = maxDifference(result.weightedMean, plainMean(nodes));
    expect(difference).toBeLessThanOrEqual(bound);
    expect(difference).toBeGreaterThan(0);
  });

  it('never lets the server see a plain update: every masked input differs from its quantised update', () => {
    const nodes = nodesOf(4, 500, 7);
    const parameters = parametersFor(nodes);
    const scale = fixedPointScale(parameters);
    const seen: string[] = [];
    runSecAggInProcess(parameters, nodes, {
      onMaskedInput: (nodeId, masked) => {
        seen.push(nodeId);
        const node = nodes.find((n) => n.nodeId === nodeId) as InProcessNode;
        const plain = Uint32Array.from(node.update, (v) => Math.round(v * node.weight * scale));
        let equal = 0;
        masked.forEach((word, i) => (equal += word === plain[i] ? 1 : 0));
        // A uniform mask matches by chance with probability 2^-32 per word.
        expect(equal).toBe(0);
        const decoded = Float64Array.from(masked, (w) => (w | 0) / (scale * node.weight));
        expect(maxDifference(decoded, Float64Array.from(node.update))).toBeGreaterThan(0.5);
      },
    });
    expect(seen.sort()).toEqual(nodes.map((n) => n.nodeId));
  });

  it('recovers the survivors\' mean when up to n − t nodes drop, before or after masking', () => {
    const nodes = nodesOf(7, 300, 3);
    const parameters = parametersFor(nodes, { threshold: 4 });
    // Two drop before sending their masked input (their pairwise masks are rebuilt), one after.
    const result = runSecAggInProcess(parameters, nodes, { dropBeforeMasking: ['node-01', 'node-05'], dropBeforeUnmasking: ['node-03'] });
    const survivors = nodes.filter((n) => n.nodeId !== 'node-01' && n.nodeId !== 'node-05');
    expect(result.survivors).toEqual(survivors.map((n) => n.nodeId));
    expect(result.dropped).toEqual(['node-01', 'node-05']);
    expect(maxDifference(result.weightedMean, plainMean(survivors))).toBeLessThanOrEqual(result.errorBound);
  });

  it('works on the sparse SecAgg+ neighbour graph with drop-outs', () => {
    const nodes = nodesOf(12, 200, 5);
    const parameters = parametersFor(nodes, { neighbours: 6, threshold: 4 });
    const result = runSecAggInProcess(parameters, nodes, { dropBeforeMasking: ['node-04'], dropBeforeUnmasking: ['node-09'] });
    const survivors = nodes.filter((n) => n.nodeId !== 'node-04');
    expect(maxDifference(result.weightedMean, plainMean(survivors))).toBeLessThanOrEqual(result.errorBound);
  });

  it('fails clearly, unmasking nothing, when more nodes drop than the threshold allows', () => {
    const nodes = nodesOf(5, 50, 9);
    const parameters = parametersFor(nodes, { threshold: 3 });
    const attempt = (): unknown => runSecAggInProcess(parameters, nodes, { dropBeforeMasking: ['node-00', 'node-01', 'node-02'] });
    expect(attempt).toThrow(SecAggError);
    expect(attempt).toThrow(/TOO_MANY_DROPOUTS: 2 of 5 nodes sent a masked input, the threshold is 3: the round fails and nothing is unmasked/);
    // Too many silent at unmasking: some self mask lacks shares, the sum stays masked.
    expect(() => runSecAggInProcess(parameters, nodes, { dropBeforeUnmasking: ['node-00', 'node-01', 'node-02'] })).toThrow(/TOO_MANY_DROPOUTS: 2 share\(s\) of the self mask/);
  });

  it('an honest node refuses to reveal both shares of one node, in one request or across two', () => {
    const nodes = nodesOf(4, 20, 11);
    const parameters = parametersFor(nodes, { threshold: 3 });
    const clients = nodes.map((n) => new SecAggClient(n.nodeId, parameters));
    const server = new SecAggServer(parameters, 20);
    for (const client of clients) server.receiveKeys(client.advertiseKeys());
    clients.forEach((client) => server.receiveShares(client.nodeId, client.shareKeys(server.advertisedKeys(), server.neighboursFor(client.nodeId))));
    clients.forEach((client, i) => client.maskInput(server.sharesFor(client.nodeId), nodes[i]!.update, nodes[i]!.weight));
    const [a, b, c] = clients as [SecAggClient, SecAggClient, SecAggClient];
    // In one request: node-03 listed as survivor and dropped.
    expect(() => a.unmask({ survivors: ['node-00', 'node-01', 'node-03'], dropped: ['node-03'] })).toThrow(
      /UNMASK_REFUSED: node "node-00" refuses .* both the self-mask share and the mask-key share of "node-03"/,
    );
    // Across two: first the self-mask share of node-03 (as a survivor), then its key share (as dropped).
    expect(b.unmask({ survivors: ['node-00', 'node-01', 'node-03'], dropped: ['node-02'] }).selfMaskShares.map((s) => s.owner)).toContain('node-03');
    expect(() => b.unmask({ survivors: ['node-00', 'node-01', 'node-02'], dropped: ['node-03'] })).toThrow(/UNMASK_REFUSED.*"node-03"/);
    // Below the threshold, and called dropped itself.
    expect(() => c.unmask({ survivors: ['node-02', 'node-00'], dropped: ['node-01', 'node-03'] })).toThrow(/fewer than the threshold 3/);
    expect(() => c.unmask({ survivors: ['node-00', 'node-01', 'node-03'], dropped: ['node-02'] })).toThrow(/not listed as a survivor/);
  });

  it('refuses parameters that would not protect an update, naming the parameter', () => {
    const nodes = nodesOf(4, 10);
    expect(() => new SecAggClient('node-00', parametersFor(nodes, { threshold: 2 }))).toThrow(/threshold 2 must lie in \[3, 4\]/);
    expect(() => new SecAggClient('node-00', parametersFor(nodes.slice(0, 1), { threshold: 1 }))).toThrow(/at least 2 participants/);
    expect(() => new SecAggClient('node-00', parametersFor(nodes, { clipRange: 0 }))).toThrow(/clipRange must be a positive/);
    expect(() => new SecAggClient('node-09', parametersFor(nodes))).toThrow(/not among the round's participants/);
  });

  it('clips each coordinate to the clip range before quantising', () => {
    const nodes: InProcessNode[] = [
      { nodeId: 'a', update: Float32Array.of(5, -5, 0.25), weight: 1 },
      { nodeId: 'b', update: Float32Array.of(0, 0, 0.25), weight: 1 },
    ];
    const result = runSecAggInProcess(parametersFor(nodes, { threshold: 2, weightBounds: { a: 1, b: 1 } }), nodes);
    expect(Array.from(result.weightedMean, (v) => Number(v.toFixed(6)))).toEqual([0.5, -0.5, 0.25]);
  });
});
