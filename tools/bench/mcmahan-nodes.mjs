// The 100 clients of tools/bench/mcmahan-mnist.mjs: the first clients × perClient MNIST training
// images, sorted by label and cut into 2 shards per client (McMahan et al.'s pathological split).
// Imported by the benchmark itself and, under --workers, by each worker thread of its simulation.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const load = (name) => require(path.join(root, 'packages', name, 'dist', 'index.js'));

export async function simulatedNodes({ clients, perClient, seed }) {
  const { openMnistTrain, subsetDataset } = load('datasets');
  const { partitionNodes } = load('simulation');
  const full = await openMnistTrain({ dir: path.join(root, 'data', 'mnist') });
  const train = subsetDataset(full, Array.from({ length: clients * perClient }, (_, i) => i));
  return partitionNodes({ dataset: train, nodeCount: clients, scheme: { kind: 'label-skew', classesPerNode: 2 }, seed, tags: ['mnist'] }).nodes;
}
