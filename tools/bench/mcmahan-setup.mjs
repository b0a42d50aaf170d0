// McMahan et al.'s MNIST setting, shared by tools/bench/mcmahan-mnist.mjs and
// tools/bench/simulation-workers.mjs: their clients (simulatedNodes, also the nodes module each worker
// thread of a WorkerSimulation imports) and their CNN (mcmahanCnn).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackage as load } from './bench-support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

/** The first clients × perClient MNIST training images, sorted by label, 2 shards per client (the pathological split). */
export async function simulatedNodes({ clients, perClient, seed }) {
  const { openMnistTrain, subsetDataset } = load('datasets');
  const { partitionNodes } = load('simulation');
  const full = await openMnistTrain({ dir: path.join(root, 'data', 'mnist') });
  const train = subsetDataset(full, Array.from({ length: clients * perClient }, (_, i) => i));
  return partitionNodes({ dataset: train, nodeCount: clients, scheme: { kind: 'label-skew', classesPerNode: 2 }, seed, tags: ['mnist'] }).nodes;
}

/**
 * The paper's CNN as a plan (5×5 conv 32 → 2×2 max-pool → 5×5 conv 64 → 2×2 max-pool → dense 512 ReLU →
 * softmax 10), plain SGD; seeded initialisers, so every strategy starts from the same weights.
 */
export function mcmahanCnn({ seed, learningRate }) {
  const tf = require('@tensorflow/tfjs');
  const { buildPlan } = load('training');
  const init = (offset) => tf.initializers.glorotUniform({ seed: seed * 100 + offset });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
  const built = buildPlan(model, { name: 'mcmahan-mnist-cnn', loss: 'sparse_categorical_crossentropy', optimizer: { name: 'sgd', learningRate }, metrics: ['accuracy'] });
  model.dispose();
  return built;
}
