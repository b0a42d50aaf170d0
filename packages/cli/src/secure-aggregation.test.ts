import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTransportFederation, Experiment, waitForNodes, type Federation, type TrainOutcome } from '@fedbiomed/researcher';
import { FedAdam, FedAvg, Krum } from '@fedbiomed/strategy';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { ResearcherServer } from '@fedbiomed/transport';
import { BIN, heartDiseaseNodes, requireBuiltCli, runCliToEnd } from './cli-test-support.test.helper';
import { buildHeartDiseasePlan } from './heart-disease-plan';
import { approvePlanAsOperator, prepareNodeFolder, spawnNode, type LocalNodeProcess } from './local-nodes';

tf.env().set('IS_TEST', true);

/** Every train outcome that reaches the researcher's round logic, as it arrives. */
function instrument(federation: Federation, seen: { nodeId: string; value: TrainOutcome }[]): Federation {
  return {
    ...federation,
    train: (tasks, options) =>
      (async function* () {
        for await (const outcome of federation.train(tasks, options)) {
          if (outcome.ok) seen.push({ nodeId: outcome.nodeId, value: outcome.value });
          yield outcome;
        }
      })(),
  };
}

// Real parts: three `fedbiomed node start` processes (Fed-Heart-Disease centres 0-2, their own
// SQLite registries), the researcher's gRPC server on loopback, the SDK's Experiment. The third
// node's policy requires secure aggregation.
describe('secure aggregation through real node processes over gRPC', () => {
  beforeAll(requireBuiltCli);

  const token = 'secagg-test';
  const plan = buildHeartDiseasePlan({ learningRate: 0.05, seed: 7, metrics: ['accuracy'] });
  const trainingArgs = { numUpdates: 5, batchSize: 8, randomSeed: 3 };
  let dir: TempDir;
  let server: ResearcherServer;
  let nodes: LocalNodeProcess[] = [];
  let specs: ReturnType<typeof heartDiseaseNodes>;

  beforeAll(async () => {
    dir = makeTempDir('fedbiomed-secagg-');
    server = new ResearcherServer({ enrolmentTokens: [token] });
    const port = await server.start();
    specs = heartDiseaseNodes(dir.path, 3).map((spec, i) => (i === 2 ? { ...spec, policy: { requireSecureAggregation: true } } : spec));
    mkdirSync(join(dir.path, 'logs'));
    for (const spec of specs) {
      await prepareNodeFolder(spec, { address: `127.0.0.1:${port}`, token });
      approvePlanAsOperator(spec.dir, plan.plan, 'operator');
    }
    nodes = specs.map((spec) => spawnNode(BIN, spec.dir, spec.nodeId, join(dir.path, 'logs')));
    await waitForNodes(server, { count: 3, timeoutMs: 60_000 });
  }, 120_000);

  afterAll(async () => {
    for (const node of nodes) await node.stop();
    await server?.stop();
    dir?.dispose();
  });

  const experiment = (options: Partial<ConstructorParameters<typeof Experiment>[0]> & { seen: { nodeId: string; value: TrainOutcome }[] }): Experiment => {
    const { seen, ...rest } = options;
    return new Experiment({ tags: ['heart-disease'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs, server: instrument(createTransportFederation(server), seen), seed: 5, ...rest });
  };

  it('a node requiring secure aggregation refuses a request that only sets the flag, and audits the protection', async () => {
    const seen: { nodeId: string; value: TrainOutcome }[] = [];
    // The flag alone, no protocol: what today's code accepted.
    const flagOnly = experiment({ seen, trainingArgs: { ...trainingArgs, secureAggregation: true }, secureAggregation: false });
    try {
      const [round] = await flagOnly.run();
      expect(round?.failures).toEqual([
        expect.objectContaining({ nodeId: specs[2]!.nodeId, code: 'POLICY_VIOLATION', reason: expect.stringMatching(/requires secure aggregation.*this request is not one/) }),
      ]);
      expect(round?.secureAggregation).toBeUndefined();
    } finally {
      flagOnly.close();
    }
    const audit = JSON.parse(await runCliToEnd(['node', '--path', specs[0]!.dir, 'audit', 'list', '--json'])) as { action: string; outcome: string; detail: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ action: 'train', outcome: 'done', detail: expect.stringMatching(/; protection: plain$/) }));
  }, 120_000);

  it('the researcher receives only masked updates, whose unmasked mean equals plain FedAvg within the quantisation bound', async () => {
    const pair = [specs[0]!.nodeId, specs[1]!.nodeId];
    const plainSeen: { nodeId: string; value: TrainOutcome }[] = [];
    const plain = experiment({ seen: plainSeen, nodes: pair, experimentId: 'secagg-plain' });
    const secureSeen: { nodeId: string; value: TrainOutcome }[] = [];
    const secure = experiment({ seen: secureSeen, nodes: pair, experimentId: 'secagg-secure', secureAggregation: { clipRange: 4 } });
    try {
      await plain.run();
      const [round] = await secure.run();
      const initial = plan.initialWeights.flatMap((w) => [...w.values]);
      // What the nodes sent in the clear in the plain run: their local weights.
      const localOf = (nodeId: string): Float32Array => plainSeen.find((s) => s.nodeId === nodeId)!.value.weights;
      expect(secureSeen.map((s) => s.nodeId).sort()).toEqual(pair);
      const scale = round!.secureAggregation!.scale;
      for (const { nodeId, value } of secureSeen) {
        // Nothing in the clear: no float weights, one masked word per parameter.
        expect(value.weights.length).toBe(0);
        expect(value.masked?.length).toBe(initial.length);
        // The node's update as it would be quantised unmasked, and the word the researcher got instead.
        const weight = value.trainSize ?? 0;
        const quantised = Array.from(localOf(nodeId), (w, i) => Math.round((w - initial[i]!) * weight * scale));
        const decoded = Array.from(value.masked!, (w) => (w | 0) / (weight * scale));
        quantised.forEach((q, i) => {
          expect(value.masked![i]).not.toBe(q >>> 0);
          expect(Math.abs(decoded[i]! - q / (weight * scale))).toBeGreaterThan(1e-3);
        });
      }
      // Plain FedAvg by train rows, from the plain run's replies.
      const sizes = new Map(plainSeen.map((s) => [s.nodeId, s.value.trainSize ?? 0]));
      const total = pair.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0);
      const fedavg = initial.map((_, i) => pair.reduce((sum, id) => sum + (localOf(id)[i]! * (sizes.get(id) ?? 0)) / total, 0));
      // Training moved the model, so the comparison below can fail.
      expect(Math.max(...fedavg.map((w, i) => Math.abs(w - initial[i]!)))).toBeGreaterThan(1e-3);
      const got = await secure.model();
      const weights = got.getWeights().flatMap((t) => Array.from(t.dataSync()));
      got.dispose();
      const summary = round?.secureAggregation;
      expect(summary?.survivors).toEqual(pair);
      expect(summary?.dropped).toEqual([]);
      expect(summary?.errorBound).toBeLessThan(1e-8);
      // Quantisation bound, plus float32 rounding of global + mean.
      weights.forEach((w, i) => expect(Math.abs(w - fedavg[i]!)).toBeLessThanOrEqual(summary!.errorBound + 1e-6));
    } finally {
      plain.close();
      secure.close();
    }
  }, 180_000);

  it('the node requiring secure aggregation trains inside a real round, and its audit log says so; FedAdam runs on the unmasked mean', async () => {
    const seen: { nodeId: string; value: TrainOutcome }[] = [];
    const run = experiment({ seen, experimentId: 'secagg-three', strategy: new FedAdam(), secureAggregation: true, minNodes: 3 });
    try {
      const [round] = await run.run();
      expect(round?.failures).toEqual([]);
      expect(round?.secureAggregation?.survivors).toEqual(specs.map((s) => s.nodeId).sort());
      expect(seen.every((s) => s.value.weights.length === 0 && s.value.masked !== undefined)).toBe(true);
    } finally {
      run.close();
    }
    const audit = JSON.parse(await runCliToEnd(['node', '--path', specs[2]!.dir, 'audit', 'list', '--json'])) as { action: string; outcome: string; detail: string }[];
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'train', outcome: 'done', detail: expect.stringMatching(/; protection: secagg \(session .*: 3 participants, masked with 2 neighbours, threshold 2, .*\)$/) }),
    );
    expect(audit).toContainEqual(expect.objectContaining({ action: 'secagg.unmask', outcome: 'done' }));
  }, 180_000);

  it('Experiment.resume of a secure experiment goes on with secure rounds under the saved settings, and ends where the uninterrupted run ends', async () => {
    // Not the defaults (clipRange 8, threshold 2 for three nodes): a resume that forgot them shows.
    const settings = { rounds: 2, minNodes: 3, secureAggregation: { clipRange: 4, neighbours: 2, threshold: 3 } };
    const reference = experiment({ seen: [], experimentId: 'secagg-resume-reference', ...settings });
    const interruptedDir = join(dir.path, 'secagg-resume');
    const interrupted = experiment({ seen: [], experimentId: 'secagg-resume', experimentDir: interruptedDir, ...settings });
    const seen: { nodeId: string; value: TrainOutcome }[] = [];
    let resumed: Experiment | undefined;
    try {
      await reference.run();
      const first = await interrupted.runOnce();
      interrupted.close();

      resumed = await Experiment.resume(interruptedDir, { server: instrument(createTransportFederation(server), seen) });
      expect(resumed.round).toBe(1);
      const [, second] = await resumed.run();
      // Every node answered the resumed round with masked words only: it was a secure round...
      expect(seen.map((s) => s.nodeId).sort()).toEqual(specs.map((s) => s.nodeId).sort());
      expect(seen.every((s) => s.value.weights.length === 0 && s.value.masked !== undefined)).toBe(true);
      // ...under the saved settings, not the defaults.
      expect(second?.secureAggregation).toMatchObject({ clipRange: 4, threshold: 3, dropped: [] });
      expect(second?.secureAggregation?.scale).toBe(first.secureAggregation?.scale);
      // The weights of the run that was never interrupted, up to the quantisation bound and float32 rounding.
      const bound = (second?.secureAggregation?.errorBound ?? 0) + 1e-6;
      const expected = reference.weights;
      resumed.weights.forEach((w, i) => expect(Math.abs(w - expected[i]!)).toBeLessThanOrEqual(bound));
    } finally {
      reference.close();
      resumed?.close();
    }
    const audit = JSON.parse(await runCliToEnd(['node', '--path', specs[0]!.dir, 'audit', 'list', '--json'])) as { action: string; outcome: string; detail: string; experimentId?: string }[];
    const trained = audit.filter((e) => e.action === 'train' && e.outcome === 'done' && e.experimentId === 'secagg-resume');
    expect(trained.map((e) => e.detail)).toEqual([
      expect.stringMatching(/; protection: secagg \(session .*: 3 participants, masked with 2 neighbours, threshold 3, .* clipped to ±4, /),
      expect.stringMatching(/; protection: secagg \(session .*: 3 participants, masked with 2 neighbours, threshold 3, .* clipped to ±4, /),
    ]);
  }, 240_000);

  it('refuses a strategy that needs individual updates, naming it', () => {
    expect(() => experiment({ seen: [], strategy: new Krum({ byzantineNodes: 0 }), secureAggregation: true })).toThrow(
      /secure aggregation hides each node's update, but strategy 'krum' needs the individual updates/,
    );
  });
});
