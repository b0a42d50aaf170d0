// WorkerSimulation against Simulation: the same nodes (fixtures/wdbc-nodes.mjs), one spread over
// worker threads of the built package (`npx tsc -b` first), the other on this thread.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { selectFraction, type Experiment, type ExperimentPlan } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { bundledDataset } from '@fedbiomed/test-utils';
import { buildPlan, selectBackend } from '@fedbiomed/training';
import { openBreastCancer } from '@fedbiomed/datasets';
import { Simulation } from './simulation';
import { partitionNodes } from './virtual-nodes';
import type { SimulationRunner } from './simulation-runner';
import { WorkerSimulation } from './worker-simulation';

const NODES_MODULE = join(__dirname, '..', 'fixtures', 'wdbc-nodes.mjs');
// Sizes from about 10 to 200 rows: the nodes finish in another order than they were asked.
const args = { dir: bundledDataset('breast_cancer_wisconsin'), nodeCount: 9, scheme: { kind: 'quantity-skew', alpha: 0.5 } as const, seed: 5 };

let plan: ExperimentPlan;
beforeAll(async () => {
  // The workers train on the backend selectBackend picks (wasm); so does this thread, to compare bits.
  await selectBackend();
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [30], units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
  plan = buildPlan(model, {
    name: 'wdbc-logreg',
    loss: 'binary_crossentropy',
    optimizer: { name: 'sgd', learningRate: 0.1 },
    metrics: ['accuracy'],
    preprocessing: [{ name: 'standardize', params: {} }], // federated statistics: requests to every worker
  });
  model.dispose();
});

async function trained(simulation: SimulationRunner): Promise<{ experiment: Experiment; accuracy: number; replyOrder: string[] }> {
  const experiment = simulation.experiment({
    tags: ['wdbc'],
    plan,
    strategy: new FedAvg(),
    rounds: 3,
    trainingArgs: { epochs: 1, batchSize: 8 },
    testRatio: 0.25,
    metrics: ['accuracy'],
    nodeSelection: selectFraction(0.5, { minNodes: 2 }),
    seed: 5,
  });
  const replyOrder: string[] = [];
  experiment.subscribe((event) => {
    if (event.type === 'node-replied') replyOrder.push(`${event.round}:${event.nodeId}`);
  });
  await experiment.run();
  const { metrics } = await experiment.evaluate();
  experiment.close();
  return { experiment, accuracy: metrics.values['accuracy'] ?? Number.NaN, replyOrder };
}

describe('WorkerSimulation', () => {
  it('trains the same nodes over 3 worker threads to the same weights and metrics, bit for bit, as Simulation on one thread', async () => {
    // What fixtures/wdbc-nodes.mjs builds in each worker (jest cannot import the .mjs itself).
    const dataset = await openBreastCancer({ dir: args.dir });
    const inThread = new Simulation({ nodes: partitionNodes({ dataset, nodeCount: args.nodeCount, scheme: args.scheme, seed: args.seed, tags: ['wdbc'] }).nodes });
    const reference = await trained(inThread);
    inThread.close();

    const workers = await WorkerSimulation.start({ nodesModule: NODES_MODULE, args, workers: 3 });
    try {
      expect(workers.nodeIds).toEqual(inThread.nodes.map(({ node }) => node.config.nodeId));
      const spread = await trained(workers);
      // Replies reach the strategy in the order they were asked for, as on one thread.
      expect(spread.replyOrder).toEqual(reference.replyOrder);
      expect(spread.replyOrder).toHaveLength(15);
      expect(Array.from(spread.experiment.weights)).toEqual(Array.from(reference.experiment.weights));
      expect(spread.accuracy).toBe(reference.accuracy);
      expect(spread.accuracy).toBeGreaterThan(0.85);
    } finally {
      await workers.close();
    }
  }, 180_000);

  it('takes the nodes of a worker that dies offline, naming why, and the round goes on with the others', async () => {
    const workers = await WorkerSimulation.start({ nodesModule: NODES_MODULE, exportName: 'crashingNodes', args: { dir: args.dir, crash: 1 }, workers: 2 });
    try {
      const experiment = workers.experiment({ tags: ['wdbc'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: { epochs: 1, batchSize: 8 }, seed: 1, minNodes: 2 });
      const result = await experiment.runOnce();
      experiment.close();
      // node-1 ends worker 1, which also held node-3.
      expect(result.nodes.map((node) => node.nodeId)).toEqual(['node-0', 'node-2']);
      expect(result.failures.map((failure) => failure.nodeId).sort()).toEqual(['node-1', 'node-3']);
      for (const failure of result.failures) expect(failure.reason).toContain('its worker thread exited (code 3)');
      expect(workers.federation.listNodes().filter((node) => node.online).map((node) => node.id)).toEqual(['node-0', 'node-2']);
    } finally {
      await workers.close();
    }
  }, 120_000);

  it('names the module\'s fault when a worker cannot build its nodes, and stops every worker', async () => {
    await expect(WorkerSimulation.start({ nodesModule: NODES_MODULE, exportName: 'notAFunction', args, workers: 2 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/simulation worker \d did not start: .*wdbc-nodes\.mjs exports no function "notAFunction"/),
    });
    await expect(WorkerSimulation.start({ nodesModule: NODES_MODULE, args: { ...args, nodeCount: 10_000 }, workers: 2 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('cannot partition the dataset (quantity-skew)'),
    });
  }, 120_000);
});
