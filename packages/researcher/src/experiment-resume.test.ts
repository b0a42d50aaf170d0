import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStrategyRegistry, FedAvg, type Strategy } from '@fedbiomed/strategy';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { ResearcherError } from './errors';
import { Experiment } from './experiment';
import type { ExperimentEvent } from './experiment-events';
import type { ExperimentOptions } from './experiment-options';
import { FakeFederation, pullToward } from './fake-federation.test.helper';
import { exponentialDecay } from './learning-rate-schedule';
import { selectFraction } from './node-selection';

// The round loop runs on an in-memory federation (what is under test is what a breakpoint keeps
// and what a resumed experiment does with it), with real breakpoint folders on disk. A secure
// experiment resumed through real node processes over gRPC is in
// packages/cli/src/secure-aggregation-resume.test.ts.

const plan = {
  plan: { canonicalJson: '{}', sha256: 'abc', kind: 'tfjs-layers', name: 'toy' },
  initialWeights: [
    { name: 'dense/kernel', shape: [2, 1], values: new Float32Array([0, 0]) },
    { name: 'dense/bias', shape: [1], values: new Float32Array([0]) },
  ],
};

function federation(): FakeFederation {
  const fed = new FakeFederation();
  [2, 8, 5, 3].forEach((target, i) => {
    const id = 'abcd'[i] as string;
    fed.add({ id, name: `Hospital ${id}`, online: true, tags: ['heart'], train: pullToward(target, 10 * (i + 1)) });
  });
  return fed;
}

const temps: TempDir[] = [];
const tempDir = (): string => {
  const dir = makeTempDir('fedbiomed-resume-');
  temps.push(dir);
  return dir.path;
};
afterEach(() => temps.splice(0).forEach((dir) => dir.dispose()));

/**
 * Runs `options` for `rounds` rounds without a break, and again interrupted after `breakAfter`
 * rounds and resumed from its folder; `between` runs on both after round 1 (e.g. setTrainingArgs).
 */
async function runBothWays(
  options: (server: FakeFederation, strategy: Strategy) => ExperimentOptions,
  strategy: () => Strategy,
  breakAfter: number,
  between: (experiment: Experiment) => void = () => undefined,
): Promise<{ reference: Experiment; resumed: Experiment; referenceServer: FakeFederation; resumedServer: FakeFederation; events: ExperimentEvent[]; dir: string }> {
  const referenceServer = federation();
  const reference = new Experiment(options(referenceServer, strategy()));
  await reference.runOnce();
  between(reference);
  await reference.run();
  reference.close();

  const dir = tempDir();
  const interruptedServer = federation();
  const interrupted = new Experiment({ ...options(interruptedServer, strategy()), experimentDir: dir });
  await interrupted.runOnce();
  between(interrupted);
  while (interrupted.round < breakAfter) await interrupted.runOnce();
  interrupted.close();

  const resumedServer = federation();
  const resumed = await Experiment.resume(dir, { server: resumedServer });
  const events: ExperimentEvent[] = [];
  resumed.subscribe((event) => events.push(event));
  await resumed.run();
  resumed.close();
  return { reference, resumed, referenceServer, resumedServer, events, dir };
}

/** The state of the latest breakpoint in `dir`, edited in place by `edit`. */
function editBreakpoint(dir: string, edit: (state: { options: Record<string, unknown>; [key: string]: unknown }) => void): void {
  const breakpoints = join(dir, 'breakpoints');
  const pointer = JSON.parse(readFileSync(join(breakpoints, 'latest.json'), 'utf8')) as { folder: string };
  const path = join(breakpoints, pointer.folder, 'state.json');
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { state: { options: Record<string, unknown> } };
  edit(saved.state);
  writeFileSync(path, JSON.stringify(saved));
}

const baseOptions = (server: FakeFederation, strategy: Strategy): ExperimentOptions => ({
  tags: ['heart'],
  plan,
  strategy,
  rounds: 4,
  trainingArgs: { numUpdates: 1, batchSize: 4 },
  server,
  seed: 11,
});

describe('Experiment.resume keeps every option that is data', () => {
  it('keeps a strategy\'s tensors (FedAdam\'s moments) as raw floats in tensors.bin, not in state.json, and resumes on them bit for bit', async () => {
    const { reference, resumed, dir } = await runBothWays(baseOptions, () => createStrategyRegistry().createStrategy('fedadam', { eta: 0.1 }), 2);
    expect(Array.from(resumed.weights)).toEqual(Array.from(reference.weights));
    const breakpoints = join(dir, 'breakpoints');
    const pointer = JSON.parse(readFileSync(join(breakpoints, 'latest.json'), 'utf8')) as { folder: string };
    const saved = JSON.parse(readFileSync(join(breakpoints, pointer.folder, 'state.json'), 'utf8')) as { state: { strategy: { state: Record<string, unknown> } } };
    expect(saved.state.strategy.state['m']).toEqual({ $float32: { offset: expect.any(Number), length: 3 } });
    expect(saved.state.strategy.state['v']).toEqual({ $float32: { offset: expect.any(Number), length: 3 } });
  });

  it('sends each remaining round the arguments of the uninterrupted run: metrics, test ratio, node DP, schedule, node list, selection, minNodes, and a setTrainingArgs change', async () => {
    const options = (server: FakeFederation, strategy: Strategy): ExperimentOptions => ({
      ...baseOptions(server, strategy),
      trainingArgs: { numUpdates: 1, batchSize: 4, dp: { enabled: true, clipNorm: 1, noiseMultiplier: 1.1, mode: 'update', delta: 1e-6 } },
      metrics: ['accuracy', 'f1'],
      testRatio: 0.25,
      learningRateSchedule: exponentialDecay({ gamma: 0.5, initial: 0.08 }),
      nodes: ['a', 'b', 'c'],
      nodeSelection: selectFraction(0.67, { minNodes: 2 }),
      minNodes: 2,
      roundTimeoutMs: 30_000,
      requestTimeoutMs: 4_000,
    });
    const { reference, resumed, referenceServer, resumedServer } = await runBothWays(options, () => new FedAvg(), 2, (e) => e.setTrainingArgs({ batchSize: 8 }));
    const calls = (server: FakeFederation, from: number) => server.trainCalls.filter((t) => t.round >= from).map((t) => ({ round: t.round, nodeId: t.nodeId, args: t.args }));
    expect(calls(resumedServer, 3)).toEqual(calls(referenceServer, 3));
    const last = resumedServer.trainCalls.at(-1);
    expect(last?.args).toMatchObject({ metrics: ['accuracy', 'f1'], testRatio: 0.25, batchSize: 8, dp: { enabled: true, noiseMultiplier: 1.1 }, optimizer: { learningRate: expect.closeTo(0.01, 12) } });
    expect(new Set(resumedServer.trainCalls.map((t) => t.nodeId)).has('d')).toBe(false);
    expect(Buffer.from(resumed.weights.buffer)).toEqual(Buffer.from(reference.weights.buffer));
    expect(resumed.selectionHistory).toEqual(reference.selectionHistory);
  });

  it('continues server-side DP ε from the rounds before the break, at the δ set before it', async () => {
    const strategy = () =>
      createStrategyRegistry().createStrategy('dp-server-fixed-clipping', { inner: { strategyName: 'fedavg', config: {} }, noiseMultiplier: 0.8, clippingNorm: 10, numSampledNodes: 2 });
    const options = (server: FakeFederation, s: Strategy): ExperimentOptions => ({
      ...baseOptions(server, s),
      trainingArgs: { numUpdates: 1, batchSize: 4, dp: { delta: 1e-5 } },
      nodeSelection: selectFraction(0.5, { minNodes: 2 }),
    });
    // δ changes after round 1: every later round, before and after the break, reports at the new δ.
    const { reference, resumed, events } = await runBothWays(options, strategy, 2, (e) => e.setTrainingArgs({ dp: { delta: 1e-7 } }));
    const privacy = (e: Experiment) => e.results.map((r) => r.privacy);
    expect(privacy(resumed)).toEqual(privacy(reference));
    expect(resumed.results.map((r) => r.privacy?.delta)).toEqual([1e-5, 1e-7, 1e-7, 1e-7]);
    const cumulative = resumed.results.map((r) => r.privacy?.epsilonCumulative ?? 0);
    // Composed over all four rounds, not restarted at the break.
    expect(cumulative[2]).toBeGreaterThan(cumulative[1]!);
    const published = events.filter((e): e is Extract<ExperimentEvent, { type: 'privacy' }> => e.type === 'privacy');
    expect(published.map((e) => [e.round, e.server?.epsilonCumulative])).toEqual([
      [3, cumulative[2]],
      [4, cumulative[3]],
    ]);
  });

  it('keeps secure aggregation off when the option turned it off over the training-args flag', async () => {
    const options = (server: FakeFederation, strategy: Strategy): ExperimentOptions => ({
      ...baseOptions(server, strategy),
      trainingArgs: { numUpdates: 1, batchSize: 4, secureAggregation: true },
      secureAggregation: false,
    });
    // This federation carries no secure-aggregation steps: a resumed run that turned it on would fail.
    const { reference, resumed, resumedServer } = await runBothWays(options, () => new FedAvg(), 2);
    expect(resumed.results.map((r) => r.secureAggregation)).toEqual([undefined, undefined, undefined, undefined]);
    expect(resumedServer.trainCalls.every((t) => t.masking === undefined)).toBe(true);
    expect(Buffer.from(resumed.weights.buffer)).toEqual(Buffer.from(reference.weights.buffer));
  });

  it('saves the secure-aggregation settings, and resumes with them', async () => {
    const dir = tempDir();
    const experiment = new Experiment({ ...baseOptions(federation(), new FedAvg()), experimentDir: dir, secureAggregation: false });
    await experiment.runOnce();
    experiment.close();
    editBreakpoint(dir, (state) => {
      expect(state.options['secureAggregation']).toBeNull();
      state.options['secureAggregation'] = { clipRange: 4, neighbours: 2, threshold: 2 };
    });
    // The in-memory federation has no secure-aggregation steps: the resumed round says it needs them.
    const resumed = await Experiment.resume(dir, { server: federation() });
    await expect(resumed.runOnce()).rejects.toThrow(/secure aggregation: this federation does not carry the secure-aggregation steps/);
    resumed.close();
  });

  it('loads a breakpoint saved before the secure-aggregation settings were kept: the training-args flag decides, as it did', async () => {
    const dir = tempDir();
    const experiment = new Experiment({ ...baseOptions(federation(), new FedAvg()), experimentDir: dir });
    await experiment.runOnce();
    experiment.close();
    editBreakpoint(dir, (state) => {
      delete state.options['secureAggregation'];
    });
    const resumed = await Experiment.resume(dir, { server: federation() });
    await resumed.run();
    resumed.close();
    expect(resumed.round).toBe(4);
    expect(resumed.results.every((r) => r.secureAggregation === undefined)).toBe(true);
  });

  it.each([
    ['secureAggregation', (o: Record<string, unknown>) => (o['secureAggregation'] = 'yes'), /options\.secureAggregation must be null or an object, got "yes"/],
    ['secureAggregation.clipRange', (o: Record<string, unknown>) => (o['secureAggregation'] = { clipRange: '4' }), /options\.secureAggregation\.clipRange must be a number, got "4"/],
    ['secureAggregation.rounds', (o: Record<string, unknown>) => (o['secureAggregation'] = { clipRange: 4, rounds: 2 }), /options\.secureAggregation\.rounds is not a secure-aggregation setting/],
    ['secureAggregation (range)', (o: Record<string, unknown>) => (o['secureAggregation'] = { clipRange: -1 }), /a saved option is refused: secureAggregation\.clipRange must be a positive finite number, got -1/],
    ['minNodes', (o: Record<string, unknown>) => (o['minNodes'] = '2'), /options\.minNodes must be a number, got "2"/],
    ['tags', (o: Record<string, unknown>) => (o['tags'] = 'heart'), /options\.tags must be a list of strings, got "heart"/],
    ['trainingArgs', (o: Record<string, unknown>) => (o['trainingArgs'] = null), /options\.trainingArgs must be an object, got null/],
  ])('refuses a breakpoint whose %s is malformed with BREAKPOINT_INVALID naming it', async (_field, corrupt, message) => {
    const dir = tempDir();
    const experiment = new Experiment({ ...baseOptions(federation(), new FedAvg()), experimentDir: dir });
    await experiment.runOnce();
    experiment.close();
    editBreakpoint(dir, (state) => corrupt(state.options));
    const attempt = Experiment.resume(dir, { server: federation() });
    await expect(attempt).rejects.toThrow(ResearcherError);
    await expect(attempt).rejects.toMatchObject({ code: 'BREAKPOINT_INVALID', message: expect.stringMatching(message) });
  });

  it('refuses a breakpoint whose standardisation is malformed, naming it', async () => {
    const dir = tempDir();
    const experiment = new Experiment({ ...baseOptions(federation(), new FedAvg()), experimentDir: dir });
    await experiment.runOnce();
    experiment.close();
    editBreakpoint(dir, (state) => (state['standardization'] = { sampleCount: 3, mean: 'x' }));
    await expect(Experiment.resume(dir, { server: federation() })).rejects.toMatchObject({ code: 'BREAKPOINT_INVALID', message: expect.stringMatching(/standardization must hold sampleCount, mean and scale/) });
  });
});
