import type { Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';
import { openMnistTest, type ArrayDataset } from '@fedbiomed/datasets';
import { bundledDataset } from '@fedbiomed/test-utils';

import { activateWasm } from '../backends/wasm-backend';
import { TrainingError } from '../errors';
import { trainLocal, type LocalTrainingArgs } from '../loop/train-local';
import { buildPlan, type BuiltPlan } from '../plan/build-plan';
import { flattenWeights } from '../weights';
import { DataParallelTraining, shardSizes } from './data-parallel';

// The gradient workers run the compiled package (dist/parallel/gradient-worker.js): `npm test` builds
// it before jest. Everything here is real: worker threads, shared memory, the wasm backend, MNIST.

let mnist: ArrayDataset;
let parallel: DataParallelTraining;
beforeAll(async () => {
  await activateWasm();
  mnist = await openMnistTest({ dir: bundledDataset('mnist') });
  parallel = await DataParallelTraining.start({ threads: 2 });
});
afterAll(async () => {
  await parallel.close();
  await tf.setBackend('cpu');
});

function cnnPlan(optimizer: BuiltPlan['spec']['optimizer']): BuiltPlan {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const built = buildPlan(model, { name: 'mnist-cnn', loss: 'sparse_categorical_crossentropy', optimizer, metrics: ['loss'] });
  model.dispose();
  return built;
}

const indices = Array.from({ length: 290 }, (_, i) => i);

async function train(built: BuiltPlan, args: LocalTrainingArgs, withWorkers: boolean) {
  return trainLocal({
    plan: built.spec,
    weights: built.initialWeights,
    dataset: mnist,
    trainIndices: indices,
    args: { epochs: 1, randomSeed: 5, ...args },
    ...(withWorkers ? { parallel } : {}),
  });
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);
}

describe('DataParallelTraining', () => {
  it('splits a batch into shards differing by at most one sample', () => {
    expect(shardSizes(25, 2)).toEqual([13, 12]);
    expect(shardSizes(10, 3)).toEqual([4, 3, 3]);
    expect(shardSizes(1, 2)).toEqual([1, 0]);
  });

  it.each<{ label: string; optimizer: BuiltPlan['spec']['optimizer']; args: LocalTrainingArgs }>([
    { label: 'SGD with momentum, uneven shards and a partial last batch', optimizer: { name: 'momentum', learningRate: 0.05, params: { momentum: 0.9 } }, args: { batchSize: 25 } },
    { label: 'Adam with the FedProx term (μ = 0.5)', optimizer: { name: 'adam', learningRate: 0.01, params: {} }, args: { batchSize: 16, fedproxMu: 0.5 } },
    { label: 'batches of one sample (the worker gets nothing)', optimizer: { name: 'sgd', learningRate: 0.01, params: {} }, args: { batchSize: 1, batchMaxnum: 20 } },
  ])('trains like one thread, up to float32 summation order: $label', async ({ optimizer, args }) => {
    const built = cnnPlan(optimizer);
    const single = await train(built, args, false);
    const before = tf.memory().numTensors;
    const shared = await train(built, args, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(shared.threads).toBe(2);
    expect(single.threads).toBe(1);
    expect(shared.numUpdates).toBe(single.numUpdates);
    expect(shared.sampleCount).toBe(single.sampleCount);
    const change = maxDifference(flattenWeights(single.weights), flattenWeights(built.initialWeights));
    expect(change).toBeGreaterThan(1e-3);
    // Training moved the weights by `change`; the two runs differ by float32 rounding only.
    expect(maxDifference(flattenWeights(shared.weights), flattenWeights(single.weights))).toBeLessThan(1e-5);
  });

  it('refuses to run on another backend than wasm, naming the active one', async () => {
    await tf.setBackend('cpu');
    try {
      await expect(train(cnnPlan({ name: 'sgd', learningRate: 0.01, params: {} }), { batchSize: 8, batchMaxnum: 1 }, true)).rejects.toThrow(
        /runs on the wasm backend; the active backend is cpu/,
      );
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('fails the round with the worker named when a worker thread dies, and the process goes on', async () => {
    const doomed = await DataParallelTraining.start({ threads: 3 });
    try {
      const [first] = (doomed as unknown as { workers: Worker[] }).workers;
      await first!.terminate();
      const built = cnnPlan({ name: 'sgd', learningRate: 0.01, params: {} });
      const failed = trainLocal({
        plan: built.spec,
        weights: built.initialWeights,
        dataset: mnist,
        trainIndices: indices,
        args: { epochs: 1, batchSize: 8 },
        parallel: doomed,
      });
      await expect(failed).rejects.toThrow(TrainingError);
      await expect(failed).rejects.toThrow(/gradient worker 1 exited/);
    } finally {
      await doomed.close();
    }
    // The shared workers are untouched.
    const ok = await train(cnnPlan({ name: 'sgd', learningRate: 0.01, params: {} }), { batchSize: 8, batchMaxnum: 2 }, true);
    expect(ok.numUpdates).toBe(2);
  });

  it('refuses a second round on the same workers while one runs, and serves it once the first ends', async () => {
    const built = cnnPlan({ name: 'sgd', learningRate: 0.01, params: {} });
    const round = (batchMaxnum: number) =>
      trainLocal({ plan: built.spec, weights: built.initialWeights, dataset: mnist, trainIndices: indices, args: { batchSize: 8, batchMaxnum }, parallel });
    const first = round(5);
    const second = round(1);
    await expect(second).rejects.toThrow(/serving another round; run rounds that share them one after another/);
    expect((await first).numUpdates).toBe(5);
    expect((await round(1)).numUpdates).toBe(1);
  });

  it('refuses a closed instance and a thread count below two', async () => {
    const closed = await DataParallelTraining.start({ threads: 2 });
    await closed.close();
    const built = cnnPlan({ name: 'sgd', learningRate: 0.01, params: {} });
    await expect(
      trainLocal({ plan: built.spec, weights: built.initialWeights, dataset: mnist, trainIndices: indices, args: { batchSize: 8 }, parallel: closed }),
    ).rejects.toThrow(/data-parallel training was closed/);
    await expect(DataParallelTraining.start({ threads: 1 })).rejects.toThrow(/threads ≥ 2, got 1/);
  });
});
