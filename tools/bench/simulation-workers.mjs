// WorkerSimulation against Simulation on one thread: the same MNIST clients (McMahan et al.'s CNN on
// their pathological split, tools/bench/mcmahan-setup.mjs), the same experiment, round times side by
// side in one run, repeated; each repeat also checks that both end on the same weights, bit for bit.
//
//   npx tsc -b tsconfig.build.json && node tools/bench/simulation-workers.mjs [--workers 2] [--repeats 3]
//     [--rounds 3] [--clients 20] [--per-client 300] [--json FILE]
//
// Each round: half the clients (C = 0.5) train E = 1 epoch in batches of 10. Round time is the
// experiment's round (training and aggregation); worker start-up (each worker reads the data and
// starts tfjs) is reported apart.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuModel, loadPackage, median } from './bench-support.mjs';
import { mcmahanCnn, simulatedNodes } from './mcmahan-setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { selectFraction } = loadPackage('researcher');
const { Simulation, WorkerSimulation } = loadPackage('simulation');
const { FedAvg } = loadPackage('strategy');
const { selectBackend } = loadPackage('training');

const { values: flags } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '20' },
    'per-client': { type: 'string', default: '300' },
    json: { type: 'string' },
  },
});
const workers = Number(flags.workers);
const repeats = Number(flags.repeats);
const rounds = Number(flags.rounds);
const nodesArgs = { clients: Number(flags.clients), perClient: Number(flags['per-client']), seed: 1 };

const backend = await selectBackend();
const plan = mcmahanCnn({ seed: 1, learningRate: 0.05 });
const loadBefore = os.loadavg()[0];

/** Runs the experiment; the seconds of each round and the final weights. */
async function timedRounds(simulation) {
  const experiment = simulation.experiment({
    tags: ['mnist'],
    plan,
    strategy: new FedAvg(),
    rounds,
    trainingArgs: { epochs: 1, batchSize: 10 },
    nodeSelection: selectFraction(0.5, { minNodes: 1 }),
    seed: 1,
  });
  const seconds = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await experiment.runOnce();
    seconds.push((performance.now() - started) / 1000);
  }
  experiment.close();
  return { seconds, weights: experiment.weights.slice() };
}

const oneThread = [];
const spread = [];
const startup = [];
for (let repeat = 0; repeat < repeats; repeat++) {
  const inThread = new Simulation({ nodes: await simulatedNodes(nodesArgs) });
  const reference = await timedRounds(inThread);
  inThread.close();
  oneThread.push(...reference.seconds);

  const started = performance.now();
  const workerSimulation = await WorkerSimulation.start({ nodesModule: path.join(root, 'tools', 'bench', 'mcmahan-setup.mjs'), args: nodesArgs, workers });
  startup.push((performance.now() - started) / 1000);
  const result = await timedRounds(workerSimulation);
  await workerSimulation.close();
  spread.push(...result.seconds);
  const same = result.weights.length === reference.weights.length && result.weights.every((value, i) => Object.is(value, reference.weights[i]));
  if (!same) throw new Error(`repeat ${repeat + 1}: the ${workers}-worker run ended on other weights than the one-thread run`);
  console.log(`repeat ${repeat + 1}: one thread ${reference.seconds.map((s) => s.toFixed(1)).join(', ')} s; ${workers} workers ${result.seconds.map((s) => s.toFixed(1)).join(', ')} s; same weights`);
}

const report = {
  cpu: cpuModel(),
  cores: os.cpus().length,
  node: process.version,
  backend: backend.backend,
  setup: { ...nodesArgs, fraction: 0.5, epochs: 1, batchSize: 10, rounds, repeats, workers },
  loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  medianRoundSeconds: { oneThread: median(oneThread), workers: median(spread) },
  speedup: median(oneThread) / median(spread),
  medianWorkerStartupSeconds: median(startup),
  sameWeights: true,
};
console.log(JSON.stringify(report, null, 2));
if (flags.json !== undefined) writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
