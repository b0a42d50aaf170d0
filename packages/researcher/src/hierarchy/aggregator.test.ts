import type { Request__Output } from '@fedbiomed/proto';
import { createLayout, FedAvg, flattenTensors, type FitResult } from '@fedbiomed/strategy';
import { asFloat32Array, float32Tensor, NodeClient, packTensors, ResearcherServer, type HandlerResult, type ReceivedTensors } from '@fedbiomed/transport';
import { Experiment } from '../experiment';
import type { ExperimentEvent } from '../experiment-events';
import { createTransportFederation } from '../transport-federation';
import { startIntermediateAggregator, type IntermediateAggregator } from './aggregator';

// Real gRPC on 127.0.0.1: a top ResearcherServer, two intermediate aggregators (each a NodeClient to
// the top and a ResearcherServer to its leaves) and three leaves per aggregator. The leaves are
// lightweight NodeClients like tools/bench/scale.mjs's workers: no training, the global model plus a
// leaf-specific delta; the node runtime's own handlers are tested in @fedbiomed/node.
const TOP_TOKEN = 'top-token';
const LEAF_TOKEN = 'leaf-token';
const initialWeights = [
  { name: 'dense/kernel', shape: [2, 2], values: new Float32Array([0.5, -1, 2, 0.25]) },
  { name: 'dense/bias', shape: [2], values: new Float32Array([0.1, -0.3]) },
];
const plan = { plan: { canonicalJson: '{}', sha256: 'c0ffee', kind: 'tfjs-layers', name: 'toy' }, initialWeights };
const layout = createLayout(initialWeights);
const global = flattenTensors(layout, initialWeights);

/** A leaf: its rows at search time and the delta it adds to every weight (scaled by the weight's index). */
interface Leaf {
  readonly id: string;
  readonly rows: number;
  readonly step: number;
  readonly fails?: boolean;
}
const SUBTREES: Record<string, readonly Leaf[]> = {
  'agg-a': [
    { id: 'a-1', rows: 17, step: 0.013 },
    { id: 'a-2', rows: 230, step: -0.071 },
    { id: 'a-3', rows: 41, step: 0.29 },
  ],
  'agg-b': [
    { id: 'b-1', rows: 5, step: 1.7 },
    { id: 'b-2', rows: 333, step: -0.0042 },
    { id: 'b-3', rows: 88, step: 0.61 },
  ],
};

/** The leaf's local weights after a round from `weights`. */
const localWeights = (leaf: Leaf, weights: Float32Array): Float32Array => weights.map((value, i) => value + leaf.step * (i + 1));

function leafHandler(leaf: Leaf) {
  return async (request: Request__Output, tensors: ReceivedTensors): Promise<HandlerResult> => {
    if (request.search) return { reply: { search: { datasets: [{ id: `ds-${leaf.id}`, name: leaf.id, tags: ['heart'], dataType: 'csv', featureShape: [2], sampleCount: leaf.rows }] } } };
    if (request.planStatus) return { reply: { planStatus: { planSha256: request.planStatus.planSha256, status: 'PLAN_STATUS_APPROVED' } } };
    const train = request.train;
    if (!train) throw new Error(`leaf ${leaf.id}: unexpected request`);
    if (leaf.fails) throw new Error(`leaf ${leaf.id} ran out of memory`);
    const received = tensors.get(train.globalWeights?.transferId ?? '') ?? [];
    const flat = flattenTensors(layout, received.map((t) => ({ name: t.name, shape: t.shape.map(Number), values: asFloat32Array(t) })));
    const local = localWeights(leaf, flat);
    const payload = packTensors(layout.tensors.map((slot) => float32Tensor(slot.name, slot.shape, local.subarray(slot.offset, slot.offset + slot.size))));
    // One epoch over its train split (all its rows): processed = train size = rows.
    return {
      reply: { train: { datasetId: train.datasetId, round: train.round, sampleCount: leaf.rows, trainSize: leaf.rows, weights: payload.set, isDelta: false, numUpdates: 1, backend: 'leaf' } },
      tensors: [payload],
    };
  };
}

/** FedAvg (weighting by train split) over the leaves themselves, as one flat researcher would run it. */
async function flatFedAvg(leaves: readonly Leaf[]): Promise<Float32Array> {
  const strategy = new FedAvg();
  strategy.configureFit(1, { layout, weights: global }, leaves.map((leaf) => leaf.id));
  const replies: FitResult[] = leaves.map((leaf) => ({ nodeId: leaf.id, sampleCount: leaf.rows, datasetSize: leaf.rows, weights: localWeights(leaf, global) }));
  const aggregate = await strategy.aggregateFit(1, replies, []);
  if (aggregate === null) throw new Error('flat FedAvg aggregated nothing');
  return aggregate.weights;
}

describe('startIntermediateAggregator (real gRPC on loopback)', () => {
  let top: ResearcherServer;
  let aggregators: IntermediateAggregator[] = [];
  let leaves: NodeClient[] = [];

  const startTree = async (failing: ReadonlySet<string> = new Set()): Promise<void> => {
    top = new ResearcherServer({ enrolmentTokens: [TOP_TOKEN] });
    await top.start();
    for (const [aggregatorId, subtree] of Object.entries(SUBTREES)) {
      const aggregator = await startIntermediateAggregator({
        upstream: { address: `127.0.0.1:${top.port}`, nodeId: aggregatorId, enrolmentToken: TOP_TOKEN },
        downstream: { enrolmentTokens: [LEAF_TOKEN] },
      });
      aggregators.push(aggregator);
      for (const leaf of subtree) {
        const client = new NodeClient({ address: `127.0.0.1:${aggregator.port}`, nodeId: leaf.id, enrolmentToken: LEAF_TOKEN, handler: leafHandler({ ...leaf, fails: failing.has(leaf.id) }) });
        leaves.push(client);
        await client.start();
      }
    }
  };

  afterEach(async () => {
    leaves.forEach((client) => client.stop());
    await Promise.all(aggregators.map((aggregator) => aggregator.stop()));
    await top.stop();
    leaves = [];
    aggregators = [];
  });

  const runExperiment = async (): Promise<{ weights: Float32Array; events: ExperimentEvent[]; experiment: Experiment }> => {
    const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: { epochs: 1 }, server: createTransportFederation(top), seed: 1 });
    const events: ExperimentEvent[] = [];
    experiment.subscribe((event) => events.push(event));
    await experiment.run();
    experiment.close();
    return { weights: experiment.weights, events, experiment };
  };

  it('one FedAvg round over two aggregators equals FedAvg over their six leaves', async () => {
    await startTree();
    const { weights, events } = await runExperiment();

    // The top researcher saw two nodes, one dataset each standing for its subtree's rows.
    expect(top.nodes().map((node) => node.id).sort()).toEqual(['agg-a', 'agg-b']);
    const expected = await flatFedAvg(Object.values(SUBTREES).flat());
    expect(weights).toHaveLength(expected.length);
    // Not the plain mean of the two subtree means: the subtrees hold 288 and 426 rows.
    expect(Math.abs(weights[0]! - global[0]!)).toBeGreaterThan(0.01);
    weights.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
    expect(events.some((event) => event.type === 'round-completed')).toBe(true);
    expect(events.filter((event) => event.type === 'node-dropped')).toEqual([]);
  });

  it('leaves a failing leaf out, reports it upstream, and completes the round with the rest', async () => {
    await startTree(new Set(['b-2']));
    const { weights, events } = await runExperiment();

    const expected = await flatFedAvg(Object.values(SUBTREES).flat().filter((leaf) => leaf.id !== 'b-2'));
    weights.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
    const logs = events.filter((event): event is Extract<ExperimentEvent, { type: 'log' }> => event.type === 'log');
    expect(logs).toEqual([expect.objectContaining({ nodeId: 'agg-b', message: expect.stringMatching(/leaf "b-2" left out of round 1: .*ran out of memory/) })]);
    expect(events.some((event) => event.type === 'round-completed')).toBe(true);
  });

  const compressedPlan = { ...plan.plan, canonicalJson: JSON.stringify({ compression: { up: { name: 'float16', params: {} } } }) };
  it.each([
    ['krum', { strategyName: 'krum' }, /strategy "krum" needs every node's individual update/],
    ['scaffold', { strategyName: 'scaffold' }, /strategy "scaffold" needs every node's individual update/],
    ['per-node DP', { args: { dp: { enabled: true, mode: 'update', clipNorm: 1, noiseMultiplier: 1 } } }, /per-node differential privacy/],
    ['secure aggregation', { masking: { sessionId: 'secagg-1', shares: [] } }, /secure aggregation needs each node's masked update/],
    ['compressed updates', { plan: compressedPlan }, /the plan compresses updates/],
    ['per-node strategy state', { aux: { 'custom.node_state': global.slice() } }, /strategy state \(custom.node_state\) meant for individual nodes/],
  ])('refuses a round with %s, which a subtree mean cannot reproduce', async (_what, overrides, reason) => {
    await startTree();
    const federation = createTransportFederation(top);
    const options = { experimentId: 'refusals', timeoutMs: 10_000 };
    const found = new Map<string, string>();
    for await (const outcome of federation.search(['agg-a'], ['heart'], options)) if (outcome.ok) found.set(outcome.nodeId, outcome.value.datasets[0]!.id);
    const task = { nodeId: 'agg-a', datasetId: found.get('agg-a')!, round: 1, plan: plan.plan, layout, weights: global, aux: {}, args: {}, strategyName: 'fedavg', ...overrides };

    const outcomes = [];
    for await (const outcome of federation.train([task], options)) outcomes.push(outcome);
    expect(outcomes).toEqual([expect.objectContaining({ ok: false, nodeId: 'agg-a', code: 'POLICY_VIOLATION', message: expect.stringMatching(reason) })]);
  });
});
