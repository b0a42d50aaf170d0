import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { createStrategyRegistry, FedAvg } from '@fedbiomed/strategy';
import { ResearcherError } from './errors';
import { Experiment } from './experiment';
import type { ExperimentEvent } from './experiment-events';
import type { ExperimentOptions } from './experiment-options';
import { FakeFederation, pullToward } from './fake-federation.test.helper';
import { TensorBoardEventCodec } from './monitoring/tensorboard-event';
import { decodeTfRecords } from './monitoring/tfrecord';
import { selectFraction, selectWith } from './node-selection';

const plan = {
  plan: { canonicalJson: '{}', sha256: 'abc', kind: 'tfjs-layers', name: 'toy' },
  initialWeights: [
    { name: 'dense/kernel', shape: [2, 1], values: new Float32Array([0, 0]) },
    { name: 'dense/bias', shape: [1], values: new Float32Array([0]) },
  ],
};

function federation(nodes: { id: string; target: number; samples: number; delayMs?: number }[]): FakeFederation {
  const fed = new FakeFederation();
  for (const n of nodes) {
    fed.add({ id: n.id, name: `Hospital ${n.id}`, online: true, tags: ['heart'], train: pullToward(n.target, n.samples, n.delayMs) });
  }
  return fed;
}

function options(server: FakeFederation, extra: Partial<ExperimentOptions> = {}): ExperimentOptions {
  return {
    tags: ['heart'],
    plan,
    strategy: new FedAvg(),
    rounds: 2,
    trainingArgs: { numUpdates: 1, batchSize: 4, randomSeed: 0 },
    server,
    seed: 7,
    ...extra,
  };
}

const temps: TempDir[] = [];
const track = (dir: TempDir): TempDir => (temps.push(dir), dir);
afterEach(() => temps.splice(0).forEach((dir) => dir.dispose()));

describe('Experiment', () => {
  it('averages replies by sample count and aggregates metrics per metric', async () => {
    // Prepare
    const server = federation([
      { id: 'a', target: 2, samples: 10 },
      { id: 'b', target: 8, samples: 30 },
    ]);
    const experiment = new Experiment(options(server, { rounds: 1, trainingArgs: { numUpdates: 1 }, seed: 0 }));
    const events: ExperimentEvent[] = [];
    experiment.subscribe((event) => events.push(event));

    // Execute
    const [result] = await experiment.run();

    // Assert: each node pulls 0 halfway to its target, FedAvg weights them 1:3.
    const expected = 0.25 * 1 + 0.75 * 4;
    for (const w of experiment.weights) expect(w).toBeCloseTo(expected, 5);
    expect(result?.nodes.map((n) => n.nodeId)).toEqual(['a', 'b']);
    expect(result?.metricsBefore.values['accuracy']).toBeCloseTo(0.25 * 0.2 + 0.75 * 0.8, 10);
    expect(result?.metricsAfter.sampleCount).toBe(40);
    expect(events.map((e) => e.type)).toEqual(['round-started', 'node-replied', 'node-replied', 'round-completed']);
    // The fake evaluation reports the mean weight on 10 samples per node.
    const evaluation = await experiment.evaluate();
    expect(evaluation.nodes.map((n) => n.nodeId)).toEqual(['a', 'b']);
    expect(evaluation.metrics.values['mean']).toBeCloseTo(expected, 5);
    expect(evaluation.metrics.sampleCount).toBe(20);
  });

  it('completes a round without a node that misses the deadline, names it, and takes it back next round', async () => {
    const server = federation([
      { id: 'a', target: 2, samples: 10 },
      { id: 'b', target: 8, samples: 10 },
      { id: 'slow', target: 5, samples: 10, delayMs: 600 },
    ]);
    const experiment = new Experiment(options(server, { roundTimeoutMs: 200, minNodes: 2 }));
    const dropped: ExperimentEvent[] = [];
    experiment.subscribe((event) => event.type === 'node-dropped' && dropped.push(event));

    const first = await experiment.runOnce();
    server.nodes.get('slow')!.train = pullToward(5, 10);
    const second = await experiment.runOnce();

    expect(first.nodes.map((n) => n.nodeId)).toEqual(['a', 'b']);
    expect(first.failures).toEqual([{ nodeId: 'slow', nodeName: 'Hospital slow', code: 'TIMEOUT', reason: 'no reply within roundTimeoutMs=200' }]);
    expect(dropped).toEqual([expect.objectContaining({ round: 1, nodeId: 'slow', code: 'TIMEOUT' })]);
    expect(second.nodes.map((n) => n.nodeId)).toEqual(['a', 'b', 'slow']);
  });

  it('fails a round with fewer than minNodes replies and keeps the model', async () => {
    const server = federation([
      { id: 'a', target: 2, samples: 10 },
      { id: 'b', target: 8, samples: 10 },
    ]);
    server.nodes.get('b')!.train = async () => {
      throw new Error('disk full');
    };
    const experiment = new Experiment(options(server, { minNodes: 2 }));
    const before = experiment.weights;

    const error = await experiment.runOnce().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResearcherError);
    expect((error as ResearcherError).code).toBe('ROUND_FAILED');
    expect((error as ResearcherError).message).toContain('Hospital b (UNAVAILABLE: disk full)');
    expect(experiment.round).toBe(0);
    expect(experiment.weights).toEqual(before);
  });

  it('reports a reply the strategy refused (NaN weights) as a failure of that node', async () => {
    const server = federation([
      { id: 'a', target: 2, samples: 10 },
      { id: 'b', target: 8, samples: 10 },
    ]);
    const honest = pullToward(8, 10);
    server.nodes.get('b')!.train = async (task) => ({ ...(await honest(task)), weights: new Float32Array(task.weights.length).fill(Number.NaN) });
    const experiment = new Experiment(options(server));

    const result = await experiment.runOnce();

    expect(result.nodes.map((n) => n.nodeId)).toEqual(['a']);
    expect(result.failures).toEqual([expect.objectContaining({ nodeId: 'b', code: 'BAD_REPLY' })]);
    for (const w of experiment.weights) expect(w).toBeCloseTo(1, 6);
  });

  it('draws a seeded fraction of nodes and checks custom selections', async () => {
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    const server = federation(ids.map((id, i) => ({ id, target: i + 1, samples: 5 })));
    const run = async (): Promise<readonly (readonly string[])[]> => {
      const experiment = new Experiment(options(server, { rounds: 3, nodeSelection: selectFraction(0.5, { minNodes: 2 }) }));
      await experiment.run();
      return experiment.selectionHistory;
    };
    const history = await run();
    expect(history.every((round) => round.length === 3)).toBe(true);
    expect(await run()).toEqual(history);

    const bad = new Experiment(options(server, { nodeSelection: selectWith('ghost', () => ['nobody']) }));
    await expect(bad.runOnce()).rejects.toThrow("node selection 'ghost' returned nodes that are not candidates in round 1: nobody");
  });

  it('resumed from the breakpoint of round 3, ends with the weights of an uninterrupted run', async () => {
    const dir = track(makeTempDir());
    const reference = track(makeTempDir());
    const nodes = [
      { id: 'a', target: 2, samples: 10 },
      { id: 'b', target: 8, samples: 30 },
      { id: 'c', target: 5, samples: 20 },
    ];
    const common = { rounds: 10, nodeSelection: selectFraction(0.6, { minNodes: 2 }) };
    const strategy = () => createStrategyRegistry().createStrategy('fedadam', { eta: 0.1 });

    const uninterrupted = new Experiment(options(federation(nodes), { ...common, strategy: strategy(), experimentDir: reference.path }));
    await uninterrupted.run();

    const interrupted = new Experiment(options(federation(nodes), { ...common, strategy: strategy(), experimentDir: dir.path }));
    for (let round = 0; round < 3; round += 1) await interrupted.runOnce();
    interrupted.close();
    // No strategy passed: the registry rebuilds FedAdam with its moments from the breakpoint.
    const resumed = await Experiment.resume(dir.path, { server: federation(nodes) });
    expect(resumed.round).toBe(3);
    await resumed.run();

    expect(Buffer.from(resumed.weights.buffer)).toEqual(Buffer.from(uninterrupted.weights.buffer));
    expect(resumed.selectionHistory).toEqual(uninterrupted.selectionHistory);
    expect(resumed.results.map((r) => r.metricsAfter)).toEqual(uninterrupted.results.map((r) => r.metricsAfter));
  });

  it('writes metrics as CSV, JSON and TensorBoard events in the experiment folder', async () => {
    const dir = track(makeTempDir());
    const server = federation([
      { id: 'a', target: 2, samples: 10 },
      { id: 'b', target: 8, samples: 30 },
    ]);
    const experiment = new Experiment(options(server, { experimentDir: dir.path }));
    await experiment.run();
    experiment.close();

    const csv = readFileSync(join(dir.path, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('round,node_id,node,phase,metric,value,sample_count');
    expect(csv).toContain('2,*,*,global,accuracy,0.65,40');
    const json = JSON.parse(readFileSync(join(dir.path, 'metrics.json'), 'utf8'));
    expect(json.rounds).toHaveLength(2);
    const [eventsFile] = readdirSync(join(dir.path, 'tensorboard'));
    const codec = new TensorBoardEventCodec();
    const events = decodeTfRecords(readFileSync(join(dir.path, 'tensorboard', eventsFile!))).map((r) => codec.decode(r));
    expect(events[0]?.fileVersion).toBe('brain.Event:2');
    const accuracy = events.flatMap((e) => (e.scalars ?? []).filter((s) => s.tag === 'federation/global/accuracy').map((s) => [e.step, s.value]));
    expect(accuracy).toEqual([
      [1, expect.closeTo(0.65, 6)],
      [2, expect.closeTo(0.65, 6)],
    ]);
  });
});
