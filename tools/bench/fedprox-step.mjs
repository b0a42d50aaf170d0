// FedProx's proximal term against plain local SGD (FedAvg's step): what μ/2·‖w − w_global‖² costs in
// the local loop on McMahan et al.'s MNIST CNN (1,663,370 parameters, the model where the term is
// largest next to the data's work).
//
//   npx tsc -b tsconfig.build.json && node tools/bench/fedprox-step.mjs [--quick] [--repeats N] [--steps N] [--json FILE]
//
// Both arms run trainLocal of @fedbiomed/training, the loop a node runs, on the same 600 MNIST training
// images, initial weights, batches (B = 10) and steps, in one process, alternating plain / FedProx
// (μ = 0.01) so that load from other jobs falls on both. Reported: the median round of each arm over
// the repeats and their ratio FedProx / plain. --quick (tools/bench/fedprox-step.test.ts): 3 steps, one repeat.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cpuModel, loadPackage as load, median } from './bench-support.mjs';
import { mcmahanCnn } from './mcmahan-setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    repeats: { type: 'string' },
    steps: { type: 'string' },
    json: { type: 'string' },
  },
});
const repeats = Number(flags.repeats ?? (flags.quick ? 1 : 5));
const steps = Number(flags.steps ?? (flags.quick ? 3 : 60));
const MU = 0.01;

const { selectBackend, trainLocal } = load('training');
const { openMnistTrain, subsetDataset } = load('datasets');
const backend = await selectBackend();
const dataset = subsetDataset(await openMnistTrain({ dir: path.join(root, 'data', 'mnist') }), Array.from({ length: 600 }, (_, i) => i));
const trainIndices = Array.from({ length: dataset.size }, (_, i) => i);
const built = mcmahanCnn({ seed: 1, learningRate: 0.05 });
const args = { numUpdates: steps, batchSize: 10, randomSeed: 3 };
const round = async (mu) => {
  const started = performance.now();
  await trainLocal({ plan: built.spec, weights: built.initialWeights, dataset, trainIndices, args: mu > 0 ? { ...args, fedproxMu: mu } : args });
  return performance.now() - started;
};
// One warm-up of each arm: kernel set-up and first allocations are not what is measured.
await round(0);
await round(MU);
const plain = [];
const fedprox = [];
for (let r = 0; r < repeats; r++) {
  plain.push(await round(0));
  fedprox.push(await round(MU));
}
const report = {
  cpu: cpuModel(),
  cores: os.cpus().length,
  backend: backend.backend,
  node: process.version,
  quick: flags.quick,
  steps,
  batchSize: 10,
  mu: MU,
  repeats,
  plainMs: median(plain),
  fedproxMs: median(fedprox),
  ratio: median(fedprox) / median(plain),
  plainRuns: plain,
  fedproxRuns: fedprox,
};
console.log(`FedProx (μ = ${MU}) vs plain local SGD, McMahan CNN, ${steps} steps of B = 10: ${report.cpu} (${report.cores} cores), backend ${report.backend}, ${repeats} repeat(s), medians`);
console.log(`plain ${report.plainMs.toFixed(0)} ms, FedProx ${report.fedproxMs.toFixed(0)} ms: ${report.ratio.toFixed(2)}×`);
if (flags.json) writeFileSync(flags.json, JSON.stringify(report, null, 2) + '\n');
