import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTransportFederation, Experiment, FileBreakpointStore, type ExperimentEvent } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { buildPlan, loadModel, saveModel } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';
import { BIN, freePort, heartDiseaseNodes, requireBuiltCli, startCli, startNodes } from './cli-test-support.test.helper';
import { buildHeartDiseasePlan } from './heart-disease-plan';
import { approvePlanAsOperator, spawnNode, waitForNodes, type LocalNodeProcess, type LocalNodeSpec } from './local-nodes';

// tfjs's own switch for tests: no "install tfjs-node" banner in the test output.
tf.env().set('IS_TEST', true);

// Three real node processes (`fedbiomed node start`) on Fed-Heart-Disease, shared by both tests.
const TOKEN = 'resilience-test-token';
const PLAN_CONFIG = {
  name: 'heart-logreg',
  loss: 'binary_crossentropy',
  optimizer: { name: 'sgd', learningRate: 0.01 },
  metrics: ['accuracy'],
} as const;

describe('a federation of node processes', () => {
  let root: TempDir;
  let port: number;
  let specs: LocalNodeSpec[];
  let nodes: LocalNodeProcess[] = [];

  beforeAll(async () => {
    requireBuiltCli();
    root = makeTempDir('fedbiomed-resilience-');
    port = await freePort();
    specs = heartDiseaseNodes(join(root.path, 'nodes'), 3);
    mkdirSync(join(root.path, 'logs'));
    nodes = await startNodes(specs, { address: `127.0.0.1:${port}`, token: TOKEN }, join(root.path, 'logs'));
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    root.dispose();
  });

  it('resumes a researcher killed (SIGKILL) after round 3 of 10 and ends with the weights of an uninterrupted run', async () => {
    // Prepare: a model file, an experiment file (FedAdam, so server moments must survive), the plan approved.
    const modelDir = join(root.path, 'model');
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [13], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })],
    });
    await saveModel(model, modelDir);
    model.dispose();
    const loaded = await loadModel(modelDir);
    const plan = buildPlan(loaded, { ...PLAN_CONFIG, metrics: [...PLAN_CONFIG.metrics] });
    loaded.dispose();
    for (const spec of specs) approvePlanAsOperator(spec.dir, plan.plan, 'test operator');
    const experimentFile = join(root.path, 'experiment.json');
    writeFileSync(
      experimentFile,
      JSON.stringify({
        tags: ['heart-disease'],
        rounds: 10,
        model: 'model',
        plan: PLAN_CONFIG,
        strategy: { name: 'fedadam', config: { eta: 0.05 } },
        trainingArgs: { numUpdates: 40, batchSize: 4 },
        waitForNodes: 3,
        minNodes: 3,
        seed: 5,
      }),
    );
    const researcher = (out: string, ...extra: string[]) =>
      startCli(['researcher', 'start', '--port', String(port), '--token', TOKEN, '--experiment', experimentFile, '--out', join(root.path, out), ...extra]);

    // Execute: an uninterrupted run; a run killed once its round-3 breakpoint exists; its resumption.
    const reference = researcher('reference');
    expect(await reference.exited).toBe(0);

    const interrupted = researcher('interrupted');
    const pointer = join(root.path, 'interrupted', 'breakpoints', 'latest.json');
    let exitedEarly = false;
    void interrupted.exited.then(() => (exitedEarly = true));
    while (!exitedEarly && !(existsSync(pointer) && JSON.parse(readFileSync(pointer, 'utf8')).round >= 3)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect({ exitedEarly, stderr: interrupted.stderr() }).toEqual({ exitedEarly: false, stderr: '' });
    interrupted.child.kill('SIGKILL');
    await interrupted.exited;
    const killedAfter = JSON.parse(readFileSync(pointer, 'utf8')).round as number;

    const resumed = researcher('interrupted', '--resume');
    const code = await resumed.exited;

    // Assert
    expect({ code, stderr: resumed.stderr() }).toEqual({ code: 0, stderr: '' });
    expect(killedAfter).toBeGreaterThanOrEqual(3);
    expect(killedAfter).toBeLessThan(10);
    expect(resumed.stdout()).toContain(`after round ${killedAfter}`);
    const final = async (folder: string) =>
      (await new FileBreakpointStore(join(root.path, folder, 'breakpoints')).loadLatest()) as {
        round: number;
        state: { weights: Float32Array; strategy: unknown; selectionHistory: unknown };
      };
    const [expected, actual] = [await final('reference'), await final('interrupted')];
    expect(actual.round).toBe(10);
    expect(Buffer.from(actual.state.weights.buffer)).toEqual(Buffer.from(expected.state.weights.buffer));
    expect(actual.state.strategy).toEqual(expected.state.strategy);
    expect(actual.state.selectionHistory).toEqual(expected.state.selectionHistory);
  }, 240_000);

  it('completes a round without a node killed mid-round, names it, and takes it back once restarted', async () => {
    const server = new ResearcherServer({ port, enrolmentTokens: [TOKEN], heartbeatIntervalMs: 1_000 });
    await server.start();
    try {
      await waitForNodes(server, specs.map((s) => s.nodeId), nodes, 60_000);
      const plan = buildHeartDiseasePlan({ learningRate: 0.01, seed: 1 });
      for (const spec of specs) approvePlanAsOperator(spec.dir, plan.plan, 'test operator');
      const experiment = new Experiment({
        tags: ['heart-disease'],
        plan,
        strategy: new FedAvg(),
        rounds: 3,
        trainingArgs: { numUpdates: 200, batchSize: 4 },
        minNodes: 2,
        roundTimeoutMs: 60_000,
        server: createTransportFederation(server),
        seed: 1,
      });
      const victim = nodes[2] as LocalNodeProcess;
      const events: ExperimentEvent[] = [];
      experiment.subscribe((event) => {
        events.push(event);
        if (event.type === 'round-started' && event.round === 2) victim.child.kill('SIGKILL');
      });

      const first = await experiment.runOnce();
      const second = await experiment.runOnce();
      await victim.exited;
      const restarted = spawnNode(BIN, victim.dir, victim.nodeId, join(root.path, 'logs'));
      nodes[2] = restarted;
      await waitForNodes(server, [victim.nodeId], [restarted], 60_000);
      const third = await experiment.runOnce();
      experiment.close();

      expect(first.nodes).toHaveLength(3);
      expect(second.nodes.map((n) => n.nodeId)).toEqual(specs.slice(0, 2).map((s) => s.nodeId).sort());
      expect(second.failures).toEqual([expect.objectContaining({ nodeId: victim.nodeId })]);
      expect(events).toContainEqual(expect.objectContaining({ type: 'node-dropped', round: 2, nodeId: victim.nodeId, nodeName: 'Hospital switzerland' }));
      expect(third.nodes.map((n) => n.nodeId)).toContain(victim.nodeId);
      expect(third.failures).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
