import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBreastCancer, openHeartDisease, openMnistTest, type Dataset } from '@fedbiomed/datasets';
import { selectFraction, type ExperimentPlan } from '@fedbiomed/researcher';
import { FedAvg, Scaffold } from '@fedbiomed/strategy';
import { bundledDataset } from '@fedbiomed/test-utils';
import { buildPlan } from '@fedbiomed/training';
import { Simulation } from './simulation';

tf.env().set('IS_TEST', true);

let wdbc: Dataset;
let plan: ExperimentPlan;
let unstandardizedPlan: ExperimentPlan;
let topKPlan: ExperimentPlan;
beforeAll(async () => {
  wdbc = await openBreastCancer({ dir: bundledDataset('breast_cancer_wisconsin') });
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [30], units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })],
  });
  // Federated standardisation: the simulation must also answer the nodes' feature-statistics requests.
  plan = buildPlan(model, {
    name: 'wdbc-logreg',
    loss: 'binary_crossentropy',
    optimizer: { name: 'sgd', learningRate: 0.1 },
    metrics: ['accuracy'],
    preprocessing: [{ name: 'standardize', params: {} }],
  });
  unstandardizedPlan = buildPlan(model, { name: 'wdbc-raw', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 } });
  topKPlan = buildPlan(model, {
    name: 'wdbc-top-k',
    loss: 'binary_crossentropy',
    optimizer: { name: 'sgd', learningRate: 0.1 },
    preprocessing: [{ name: 'standardize', params: { statistics: 'local' } }],
    compression: { up: { name: 'top_k', params: { fraction: 0.1 } } },
  });
  model.dispose();
});

function wdbcSimulation(seed: number, policy?: { requirePlanApproval: boolean }): Simulation {
  return Simulation.fromPartition({ dataset: wdbc, nodeCount: 10, scheme: { kind: 'dirichlet', alpha: 1 }, seed, tags: ['wdbc'], ...(policy && { policy }) });
}

async function trainedWeights(seed: number): Promise<{ weights: Float32Array; accuracy: number; trained: number }> {
  const simulation = wdbcSimulation(seed);
  const experiment = simulation.experiment({
    tags: ['wdbc'],
    plan,
    strategy: new FedAvg(),
    rounds: 3,
    trainingArgs: { epochs: 1, batchSize: 8 },
    testRatio: 0.25,
    metrics: ['accuracy'],
    nodeSelection: selectFraction(0.5, { minNodes: 2 }),
    seed,
  });
  await experiment.run();
  const evaluation = await experiment.evaluate();
  experiment.close();
  const trained = simulation.nodes.reduce((n, { node }) => n + node.audit({ action: 'train' }).filter((entry) => entry.outcome === 'done').length, 0);
  return { weights: experiment.weights.slice(), accuracy: evaluation.metrics.values['accuracy'] ?? Number.NaN, trained };
}

describe('Simulation over the breast-cancer dataset cut across 10 virtual nodes', () => {
  it('is deterministic given a seed, differs with another seed, and learns', async () => {
    const first = await trainedWeights(7);
    const again = await trainedWeights(7);
    const other = await trainedWeights(8);
    expect(Array.from(again.weights)).toEqual(Array.from(first.weights));
    expect(Array.from(other.weights)).not.toEqual(Array.from(first.weights));
    // 3 rounds × 5 of 10 nodes, each through the node's own train handler (audited there).
    expect(first.trained).toBe(15);
    expect(first.accuracy).toBeGreaterThan(0.85);
  }, 120_000);

  it('enforces the virtual nodes\' policy: a plan no operator approved is refused by every node', async () => {
    const simulation = wdbcSimulation(1, { requirePlanApproval: true });
    const experiment = simulation.experiment({ tags: ['wdbc'], plan: unstandardizedPlan, strategy: new FedAvg(), rounds: 1, trainingArgs: { epochs: 1, batchSize: 8 }, seed: 1 });
    await expect(experiment.runOnce()).rejects.toMatchObject({ code: 'ROUND_FAILED', message: expect.stringContaining('PLAN_NOT_APPROVED') });
    experiment.close();
  }, 60_000);

  it('keeps SCAFFOLD\'s node control variates in each virtual node between rounds', async () => {
    const simulation = wdbcSimulation(2);
    const experiment = simulation.experiment({ tags: ['wdbc'], plan, strategy: new Scaffold(), rounds: 2, trainingArgs: { epochs: 1, batchSize: 8 }, seed: 2 });
    await experiment.run();
    experiment.close();
    const first = simulation.nodes[0]?.node;
    const keys = first?.repository.listStateKeys(experiment.id).map((key) => key.key) ?? [];
    expect(keys).toContain('tensor:scaffold.node_control');
  }, 60_000);

  describe('with a stateDir, stops and goes on where it stopped', () => {
    const selection = () => selectFraction(0.5, { minNodes: 2 });
    // Top-k updates: each node keeps its error-feedback residual between rounds, state a resume needs.
    const topKOptions = (seed: number) => ({ tags: ['wdbc'], plan: topKPlan, strategy: new FedAvg(), rounds: 4, trainingArgs: { epochs: 1, batchSize: 8 }, nodeSelection: selection(), seed });
    let folder: string;
    beforeEach(() => {
      folder = mkdtempSync(join(tmpdir(), 'simulation-state-'));
    });
    afterEach(() => rmSync(folder, { recursive: true, force: true }));

    /** 2 rounds saved in `folder`, then the process "stops": the nodes' files are closed. */
    async function interruptedAfterTwoRounds(): Promise<string> {
      const experimentDir = join(folder, 'experiment');
      const simulation = Simulation.fromPartition({ dataset: wdbc, nodeCount: 10, scheme: { kind: 'dirichlet', alpha: 1 }, seed: 3, tags: ['wdbc'], stateDir: join(folder, 'nodes') });
      const experiment = simulation.experiment({ ...topKOptions(3), experimentDir, saveBreakpoints: true });
      await experiment.runOnce();
      await experiment.runOnce();
      experiment.close();
      simulation.close();
      return experimentDir;
    }

    async function resumedWeights(experimentDir: string, stateDir: string | undefined): Promise<{ weights: Float32Array; trained: number }> {
      const simulation = Simulation.fromPartition({ dataset: wdbc, nodeCount: 10, scheme: { kind: 'dirichlet', alpha: 1 }, seed: 3, tags: ['wdbc'], ...(stateDir !== undefined && { stateDir }) });
      const experiment = await simulation.resumeExperiment(experimentDir, { nodeSelection: selection() });
      expect(experiment.round).toBe(2);
      await experiment.run();
      experiment.close();
      const trained = simulation.nodes.reduce((n, { node }) => n + node.audit({ action: 'train' }).filter((entry) => entry.outcome === 'done').length, 0);
      simulation.close();
      return { weights: experiment.weights.slice(), trained };
    }

    it('top-k FedAvg resumed after round 2 equals an uninterrupted run of 4 rounds, bit for bit; without the nodes\' state it does not', async () => {
      const uninterrupted = wdbcSimulation(3);
      const reference = uninterrupted.experiment(topKOptions(3));
      await reference.run();
      reference.close();

      const experimentDir = await interruptedAfterTwoRounds();
      expect(readdirSync(join(folder, 'nodes')).filter((file) => file.endsWith('.db'))).toHaveLength(10);
      const secondDir = join(folder, 'second');
      cpSync(experimentDir, secondDir, { recursive: true });
      const resumed = await resumedWeights(experimentDir, join(folder, 'nodes'));
      expect(Array.from(resumed.weights)).toEqual(Array.from(reference.weights));
      // The nodes' audit, read back from their files, holds the 5 trainings of each of the 4 rounds.
      expect(resumed.trained).toBe(20);

      // The same resume over fresh in-memory nodes: their residuals restart at zero.
      const forgetful = await resumedWeights(secondDir, undefined);
      expect(Array.from(forgetful.weights)).not.toEqual(Array.from(reference.weights));
      expect(forgetful.trained).toBe(10);
    }, 120_000);

    it('refuses a stateDir written for another partition, naming the dataset and the difference', async () => {
      await interruptedAfterTwoRounds();
      expect(() =>
        Simulation.fromPartition({ dataset: wdbc, nodeCount: 10, scheme: { kind: 'dirichlet', alpha: 1 }, seed: 4, tags: ['wdbc'], stateDir: join(folder, 'nodes') }),
      ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/node-\d-dataset-0: .* holds it with sampleCount \d+, given \d+; another partition needs another database/) }));
    }, 60_000);
  });

  it('gives each part its samples\' side of the dataset\'s own split (FLamby\'s for heart disease)', async () => {
    const { dataset, split } = await openHeartDisease({ dir: bundledDataset('heart_disease'), center: 0 });
    const simulation = Simulation.fromPartition({ dataset, nodeCount: 4, scheme: { kind: 'iid' }, seed: 1, tags: ['heart'], split });
    const parts = simulation.nodes.map(({ node }) => node.datasets.list()[0]?.fixedSplit);
    expect(parts.reduce((n, part) => n + (part?.train ?? 0), 0)).toBe(split.train.length);
    expect(parts.reduce((n, part) => n + (part?.test ?? 0), 0)).toBe(split.test.length);
    expect(parts.every((part) => part !== undefined && part.test > 0)).toBe(true);
  });

  it('names the partitioner\'s complaint', () => {
    expect(() => Simulation.fromPartition({ dataset: wdbc, nodeCount: 1000, scheme: { kind: 'iid' }, seed: 1, tags: ['wdbc'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('nodeCount must be an integer in [1, 569]') }),
    );
  });
});

describe('100 virtual nodes', () => {
  it('train a round of MNIST in one process within a few GB', async () => {
    const mnist = await openMnistTest({ dir: bundledDataset('mnist') });
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })],
    });
    const mnistPlan = buildPlan(model, { name: 'mnist-softmax', loss: 'sparse_categorical_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 }, metrics: ['accuracy'] });
    model.dispose();
    const simulation = Simulation.fromPartition({ dataset: mnist, nodeCount: 100, scheme: { kind: 'label-skew', classesPerNode: 2 }, seed: 4, tags: ['mnist'] });
    const experiment = simulation.experiment({ tags: ['mnist'], plan: mnistPlan, strategy: new FedAvg(), rounds: 2, trainingArgs: { epochs: 1, batchSize: 10 }, seed: 4 });
    const before = await simulation.evaluateCentrally(experiment, mnist);
    const results = await experiment.run();
    const after = await simulation.evaluateCentrally(experiment, mnist);
    experiment.close();
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    console.log(`100 virtual nodes, 2 rounds: RSS ${rssMiB.toFixed(0)} MiB, accuracy ${before.values['accuracy']} -> ${after.values['accuracy']}`);
    expect(results.map((round) => round.nodes.length)).toEqual([100, 100]);
    // Two classes per node pull the average apart; above chance (0.1) is what two rounds promise.
    expect(before.values['accuracy']).toBeLessThan(0.2);
    expect(after.values['accuracy']).toBeGreaterThan(0.3);
    expect(rssMiB).toBeLessThan(3 * 1024);
  }, 300_000);
});
