// DP-SGD against plain training: what per-example clipping and noise cost in the local loop.
//
//   npx tsc -b tsconfig.build.json && node tools/bench/dp-sgd.mjs [--quick] [--repeats N] [--backend wasm|cpu|tensorflow] [--json FILE]
//
// Both arms run trainLocal of @fedbiomed/training, the loop a node runs, on the same bundled data,
// model, initial weights, batches and steps, in one process, alternating plain / DP-SGD so that load
// from other jobs on the machine falls on both. Plain: the batch's mean loss, one backward pass per
// batch. DP-SGD (dp.mode "sample", C = 1, σ = 1.1): one backward pass per example (micro-batches of
// one: tfjs has no vectorised map), each gradient clipped to C, the sum noised (N(0, (σC)²) from a
// cryptographic source), divided by the batch size. Reported: median wall time of a round over the
// repeats, its ratio DP-SGD / plain, ms per step, and ε the round spends (RDP accountant at δ = 1e-5,
// q = batch / train rows).
//
// Cases: WDBC (569 rows, 30 features) with an MLP 30-32-16-1, and MNIST t10k (10,000 28×28 images) with
// a small CNN (conv 8@3×3, max-pool 2, conv 16@3×3, max-pool 2, dense 10). --quick (the CI-sized run
// of tools/bench/dp-sgd.test.ts): fewer steps, one repeat.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const load = (name) => require(path.join(root, 'packages', name, 'dist', 'index.js'));
const tf = require('@tensorflow/tfjs');
const { buildPlan, dpMechanism, resolveDp, selectBackend, trainLocal } = load('training');
const { openBreastCancer, openMnistTest, fitStandardization, standardize, splitTrainTest } = load('datasets');
const { computeDpEpsilon } = load('strategy');

const argv = process.argv.slice(2);
const option = (name) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
const quick = argv.includes('--quick');
const REPEATS = Number(option('--repeats') ?? (quick ? 1 : 5));
const DP = { enabled: true, mode: 'sample', clipNorm: 1, noiseMultiplier: 1.1 };
const DELTA = 1e-5;

const seeded = (seed) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

const CASES = [
  {
    name: 'WDBC MLP 30-32-16-1',
    open: async () => {
      const raw = await openBreastCancer({ dir: path.join(root, 'data', 'breast_cancer_wisconsin') });
      const { train } = splitTrainTest(raw, 0.2, 7, { stratify: true });
      return { dataset: standardize(raw, fitStandardization(raw, train)), train };
    },
    model: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [30], units: 32, activation: 'relu', ...seeded(1) }),
          tf.layers.dense({ units: 16, activation: 'relu', ...seeded(2) }),
          tf.layers.dense({ units: 1, activation: 'sigmoid', ...seeded(3) }),
        ],
      }),
    loss: 'binary_crossentropy',
    batchSize: 32,
    steps: quick ? 4 : 28,
  },
  {
    name: 'MNIST t10k small CNN',
    open: async () => {
      const dataset = await openMnistTest({ dir: path.join(root, 'data', 'mnist') });
      return { dataset, train: Array.from({ length: dataset.size }, (_, i) => i) };
    },
    model: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', ...seeded(4) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', ...seeded(5) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax', ...seeded(6) }),
        ],
      }),
    loss: 'sparse_categorical_crossentropy',
    batchSize: 32,
    steps: quick ? 2 : 20,
  },
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function runCase(spec) {
  const { dataset, train } = await spec.open();
  const model = spec.model();
  const built = buildPlan(model, { name: spec.name, loss: spec.loss, optimizer: { name: 'sgd', learningRate: 0.05 }, metrics: ['loss'] });
  model.dispose();
  const args = { numUpdates: spec.steps, batchSize: spec.batchSize, randomSeed: 11 };
  const round = async (dp) => {
    const started = performance.now();
    const result = await trainLocal({ plan: built.spec, weights: built.initialWeights, dataset, trainIndices: train, args: dp ? { ...args, dp } : args });
    return { ms: performance.now() - started, numUpdates: result.numUpdates };
  };
  // One warm-up of each arm: kernel compilation and first allocations are not what is measured.
  await round(undefined);
  await round(DP);
  const plain = [];
  const private_ = [];
  for (let r = 0; r < REPEATS; r++) {
    plain.push((await round(undefined)).ms);
    private_.push((await round(DP)).ms);
  }
  const mechanism = dpMechanism(resolveDp(DP), { trainSize: train.length, ...args });
  const epsilon = computeDpEpsilon({ ...mechanism, delta: DELTA }).epsilon;
  const plainMs = median(plain);
  const dpMs = median(private_);
  return {
    case: spec.name,
    trainRows: train.length,
    batchSize: spec.batchSize,
    steps: spec.steps,
    repeats: REPEATS,
    plainMs,
    dpSgdMs: dpMs,
    ratio: dpMs / plainMs,
    plainMsPerStep: plainMs / spec.steps,
    dpSgdMsPerStep: dpMs / spec.steps,
    samplingRate: mechanism.samplingRate,
    epsilon,
    plainRuns: plain,
    dpSgdRuns: private_,
  };
}

const backendOption = option('--backend');
const backend = await selectBackend(backendOption ? { allow: [backendOption] } : {});
const results = [];
for (const spec of CASES) results.push(await runCase(spec));
const report = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, backend: backend.kind, node: process.version, quick, dp: DP, delta: DELTA, results };

console.log(`DP-SGD vs plain training: ${report.cpu} (${report.cores} cores), backend ${report.backend}, ${REPEATS} repeat(s), medians`);
console.log('| case | batch | steps | plain ms | DP-SGD ms | ratio | plain ms/step | DP-SGD ms/step | ε (δ = 1e-5) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.case} | ${r.batchSize} | ${r.steps} | ${r.plainMs.toFixed(0)} | ${r.dpSgdMs.toFixed(0)} | ${r.ratio.toFixed(1)}× | ${r.plainMsPerStep.toFixed(1)} | ${r.dpSgdMsPerStep.toFixed(1)} | ${r.epsilon.toFixed(3)} |`);
}
const out = option('--json');
if (out) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
