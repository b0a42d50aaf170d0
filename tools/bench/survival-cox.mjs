// Survival acceptance: a linear Cox model trained with FedAvg over real node processes on a synthetic
// multi-centre data set with known coefficients, against the same model fitted on the pooled rows.
//
//   npx tsc -b tsconfig.build.json && node tools/bench/survival-cox.mjs [--quick] [--seeds 1,2,3] [--json FILE]
//
// Data (seeded; one data set per seed). Covariates x ∈ R^5, x_j ~ N(μ_c,j, 1) with a per-centre
// shift μ_c of the first two covariates. Survival times follow proportional hazards
//   h(t | x) = h0(t) · exp(βᵀx),  Weibull baseline h0(t) = (k/λ)(t/λ)^(k−1),  k = 1.5, λ = 10,
// drawn by inversion: T = λ · (−ln U · exp(−βᵀx))^(1/k). Each centre censors at random,
// C ~ Exponential(rate r_c), and administratively at τ_c (end of follow-up): the observed time is
// min(T, C, τ_c) and the event is T ≤ min(C, τ_c). Centres differ in size, r_c, τ_c and shift; a
// quarter of each centre's rows (seeded) form its fixed test split (`split` column).
//
// Federation. Every centre is a real node process (`fedbiomed node ... start` of the built CLI, own
// folder and SQLite registry), set up with the CLI as an operator would (`init`, `dataset add --type
// csv` with a survival target and the file's split); the researcher is this script (SDK: Experiment
// over a ResearcherServer, gRPC on loopback); each node's operator approves the plan with the CLI's
// `plan approve`. Model: Dense(1, no bias, linear) = the log-risk βᵀx, loss `cox_ph`, initial β = 0,
// plain SGD; FedAvg (train-split-size weighting), every round `epochs` full-batch steps per node.
// Baseline: the same model, loss and optimiser fitted full-batch on the concatenated train rows.
// Report: β true / federated / pooled, the largest |federated − pooled| coefficient gap, and per
// centre the test C-index of the federated model as its node reports it (evaluate on its own test
// split) against the pooled model's (same `concordanceIndex` of @fedbiomed/training, in this script).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const load = (name) => require(path.join(root, 'packages', name, 'dist', 'index.js'));
const tf = require('@tensorflow/tfjs');
const { spawnNode } = load('cli');
const { Experiment, createTransportFederation, waitForNodes } = load('researcher');
const { createStrategyRegistry } = load('strategy');
const { ResearcherServer } = load('transport');
const { buildPlan, concordanceIndex, resolveLoss } = load('training');
// Seeded (mulberry32), so that a seed names one data set.
const { createRandom } = load('datasets');
const CLI_BIN = path.join(root, 'packages', 'cli', 'dist', 'bin.js');

tf.enableProdMode();
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const option = (name) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);

const BETA = [0.8, -0.6, 0.5, -0.4, 0.3];
const WEIBULL = { shape: 1.5, scale: 10 };
// size = rows (train + test); censorRate = rate of the exponential random censoring; followUp = τ.
const ALL_CENTRES = [
  { size: 80, censorRate: 0.02, followUp: 30, shift: [0, 0] },
  { size: 140, censorRate: 0.05, followUp: 20, shift: [0.5, 0] },
  { size: 200, censorRate: 0.1, followUp: 15, shift: [-0.5, 0.3] },
  { size: 260, censorRate: 0.03, followUp: 10, shift: [0, -0.5] },
  { size: 330, censorRate: 0.08, followUp: 25, shift: [0.3, 0.3] },
  { size: 400, censorRate: 0.15, followUp: 12, shift: [-0.3, -0.3] },
];
const CENTRES = quick ? ALL_CENTRES.slice(0, 3).map((c) => ({ ...c, size: 120 })) : ALL_CENTRES;
const SEEDS = option('--seeds')?.split(',').map(Number) ?? (quick ? [1] : [1, 2, 3]);
const ROUNDS = quick ? 20 : 30;
const LOCAL_STEPS = 10;
const LEARNING_RATE = 0.3;
const POOLED_STEPS = 1000;
const TEST_FRACTION = 0.25;

/** One centre's rows: [x1..x5, time, event, split]. */
function generateCentre(centre, random) {
  const uniform = () => Math.max(random(), 1e-12);
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * random());
  const rows = [];
  for (let i = 0; i < centre.size; i++) {
    const x = BETA.map((_, j) => normal() + (centre.shift[j] ?? 0));
    const risk = Math.exp(BETA.reduce((s, b, j) => s + b * x[j], 0));
    const eventTime = WEIBULL.scale * (-Math.log(uniform()) / risk) ** (1 / WEIBULL.shape);
    const censorTime = Math.min(-Math.log(uniform()) / centre.censorRate, centre.followUp);
    const time = Math.min(eventTime, censorTime);
    rows.push({ x, time: Number(time.toFixed(4)), event: eventTime <= censorTime ? 1 : 0 });
  }
  // A seeded shuffle picks the test quarter.
  const order = rows.map((_, i) => [random(), i]).sort((a, b) => a[0] - b[0]);
  const testCount = Math.round(centre.size * TEST_FRACTION);
  order.slice(0, testCount).forEach(([, i]) => (rows[i].split = 'test'));
  rows.forEach((row) => (row.split ??= 'train'));
  return rows;
}

function toCsv(rows) {
  const header = [...BETA.map((_, j) => `x${j + 1}`), 'time', 'event', 'split'].join(',');
  return [header, ...rows.map((r) => [...r.x.map((v) => v.toFixed(5)), r.time, r.event, r.split].join(','))].join('\n') + '\n';
}

const cli = (...args) => execFileSync(process.execPath, [CLI_BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function coxPlan() {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [BETA.length], units: 1, useBias: false, activation: 'linear', kernelInitializer: 'zeros' })] });
  try {
    return buildPlan(model, { name: 'cox-linear', loss: 'cox_ph', optimizer: { name: 'sgd', learningRate: LEARNING_RATE }, metrics: ['loss', 'concordance_index'] });
  } finally {
    model.dispose();
  }
}

/**
 * A centralised fit: the same loss and optimiser, full batch, from β = 0. `strata` are groups of
 * train rows with their own risk sets; the loss is their events-weighted mean, so one stratum of
 * every centre's rows is the pooled Cox fit, and one stratum per centre the stratified Cox fit
 * (each centre its own baseline hazard: the model FedAvg over per-node risk sets estimates).
 */
function fitCentrally(strata) {
  const loss = resolveLoss('cox_ph');
  const totalEvents = strata.flat().reduce((s, r) => s + r.event, 0);
  const groups = strata.map((rows) => ({
    features: tf.tensor2d(rows.map((r) => r.x)),
    labels: tf.tensor2d(rows.map((r) => [r.time, r.event])),
    share: rows.reduce((s, r) => s + r.event, 0) / totalEvents,
  }));
  const beta = tf.variable(tf.zeros([BETA.length, 1]));
  const optimizer = tf.train.sgd(LEARNING_RATE);
  for (let step = 0; step < POOLED_STEPS; step++) {
    optimizer.minimize(() => tf.addN(groups.map((g) => loss.fn(g.labels, g.features.matMul(beta)).mul(g.share))));
  }
  const fitted = Array.from(beta.dataSync());
  tf.dispose([...groups.flatMap((g) => [g.features, g.labels]), beta, optimizer]);
  return fitted;
}

const riskOf = (beta, x) => beta.reduce((s, b, j) => s + b * x[j], 0);
const testCIndex = (beta, rows) => {
  const test = rows.filter((r) => r.split === 'test');
  return concordanceIndex(test.map((r) => r.time), test.map((r) => r.event), test.map((r) => riskOf(beta, r.x)));
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'fedbiomed-survival-'));
  const token = 'survival-bench';
  const server = new ResearcherServer({ enrolmentTokens: [token], logger: { debug() {}, info() {}, warn() {}, error: console.error } });
  const port = await server.start();
  const started = performance.now();
  const data = new Map(SEEDS.map((seed) => [seed, CENTRES.map((centre, c) => generateCentre(centre, createRandom(seed * 1000 + c)))]));
  const nodes = CENTRES.map((_, c) => ({ id: `centre-${c}`, name: `Centre ${c}`, dir: path.join(work, `centre-${c}`) }));
  const running = [];
  try {
    mkdirSync(path.join(work, 'data'));
    for (const [c, node] of nodes.entries()) {
      cli('node', '--path', node.dir, 'init', '--id', node.id, '--name', node.name, '--researcher', `127.0.0.1:${port}`, '--token', token);
      for (const seed of SEEDS) {
        const file = path.join(work, 'data', `centre-${c}-seed-${seed}.csv`);
        writeFileSync(file, toCsv(data.get(seed)[c]));
        const options = { survival: { time: 'time', event: 'event' }, split: { column: 'split' } };
        cli('node', '--path', node.dir, 'dataset', 'add', '--type', 'csv', '--path', file, '--tags', `survival-seed-${seed}`, '--options', JSON.stringify(options));
      }
      running.push(spawnNode(CLI_BIN, node.dir, node.id, work));
    }
    await waitForNodes(server, { count: nodes.length, timeoutMs: 60_000 });
    const plan = coxPlan();
    const registry = createStrategyRegistry();
    const perSeed = [];
    for (const seed of SEEDS) perSeed.push(await runSeed(seed, data.get(seed), plan, nodes, registry, server));
    const seconds = (performance.now() - started) / 1000;
    const result = summarise(perSeed, seconds);
    const json = option('--json');
    if (json !== undefined) writeFileSync(json, JSON.stringify(result, null, 2));
    console.log(result.markdown);
    if (!quick) writeReport(result);
  } catch (error) {
    for (const r of running) console.error(`--- ${r.logFile}\n${readFileSync(r.logFile, 'utf8').slice(-2000)}`);
    throw error;
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** One seed: approval by each operator through the CLI (first seed only: the plan's hash is the same), FedAvg, evaluation, pooled fit. */
async function runSeed(seed, centres, plan, nodes, registry, server) {
  const experiment = new Experiment({
    tags: [`survival-seed-${seed}`],
    plan,
    strategy: registry.createStrategy('fedavg', {}),
    rounds: ROUNDS,
    trainingArgs: { epochs: LOCAL_STEPS, batchSize: 1024 },
    metrics: ['loss', 'concordance_index'],
    minNodes: nodes.length,
    server: createTransportFederation(server),
    seed,
  });
  const unsubscribe = experiment.subscribe((event) => {
    if (event.type !== 'approval-pending') return;
    const node = nodes.find((n) => n.id === event.nodeId);
    cli('node', '--path', node.dir, 'plan', 'approve', event.planSha256, '--by', `${node.name} operator`);
  });
  await experiment.ensureApproved({ description: 'linear Cox model, survival benchmark', timeoutMs: 60_000, pollIntervalMs: 200 });
  unsubscribe();
  await experiment.run();
  const evaluation = await experiment.evaluate();
  const federated = Array.from(experiment.weights);
  experiment.close();
  const train = centres.map((rows) => rows.filter((r) => r.split === 'train'));
  const pooled = fitCentrally([train.flat()]);
  const stratified = fitCentrally(train);
  const perCentre = nodes.map((node, c) => {
    const reported = evaluation.nodes.find((n) => n.nodeId === node.id)?.metrics.values.concordance_index ?? Number.NaN;
    return { centre: node.name, federated: reported, pooled: testCIndex(pooled, centres[c]), truth: testCIndex(BETA, centres[c]) };
  });
  const gap = Math.max(...federated.map((b, j) => Math.abs(b - pooled[j])));
  const worst = Math.max(...perCentre.map((p) => Math.abs(p.federated - p.pooled)));
  const stratifiedGap = Math.max(...federated.map((b, j) => Math.abs(b - stratified[j])));
  const fmt = (betas) => betas.map((b) => b.toFixed(3)).join(' ');
  console.log(`seed ${seed}: β fed ${fmt(federated)} | pooled ${fmt(pooled)} | stratified ${fmt(stratified)} | max |Δβ| ${gap.toFixed(4)} (stratified ${stratifiedGap.toFixed(4)}) | max |ΔC| ${worst.toFixed(4)}`);
  return { seed, federated, pooled, stratified, gap, stratifiedGap, perCentre };
}

function summarise(perSeed, seconds) {
  const med = (pick) => BETA.map((_, j) => median(perSeed.map((s) => pick(s)[j])));
  const federated = med((s) => s.federated);
  const pooled = med((s) => s.pooled);
  const stratified = med((s) => s.stratified);
  const betaTable = [
    '| coefficient | true | federated | pooled | federated − pooled | pooled, stratified by centre | federated − stratified |',
    '|---|---|---|---|---|---|---|',
    ...BETA.map((b, j) => `| β${j + 1} | ${b.toFixed(2)} | ${federated[j].toFixed(4)} | ${pooled[j].toFixed(4)} | ${(federated[j] - pooled[j]).toFixed(4)} | ${stratified[j].toFixed(4)} | ${(federated[j] - stratified[j]).toFixed(4)} |`),
  ].join('\n');
  const perCentre = CENTRES.map((centre, c) => {
    const pick = (key) => median(perSeed.map((s) => s.perCentre[c][key]));
    const delta = median(perSeed.map((s) => s.perCentre[c].federated - s.perCentre[c].pooled));
    return { centre: `Centre ${c}`, size: centre.size, censorRate: centre.censorRate, followUp: centre.followUp, federated: pick('federated'), pooled: pick('pooled'), truth: pick('truth'), delta };
  });
  const cTable = [
    '| centre | rows (train + test) | censoring rate, follow-up | C-index federated (node-reported) | C-index pooled | federated − pooled (median of the per-seed differences) | C-index of the true β |',
    '|---|---|---|---|---|---|---|',
    ...perCentre.map((p) => `| ${p.centre} | ${p.size} | ${p.censorRate}, ${p.followUp} | ${p.federated.toFixed(4)} | ${p.pooled.toFixed(4)} | ${p.delta >= 0 ? '+' : ''}${p.delta.toFixed(4)} | ${p.truth.toFixed(4)} |`),
  ].join('\n');
  const maxGap = median(perSeed.map((s) => s.gap));
  const maxStratifiedGap = median(perSeed.map((s) => s.stratifiedGap));
  const maxCDelta = Math.max(...perSeed.flatMap((s) => s.perCentre.map((p) => Math.abs(p.federated - p.pooled))));
  const markdown = `${betaTable}\n\nLargest |federated − pooled| coefficient gap: ${maxGap.toFixed(4)}; against the stratified fit: ${maxStratifiedGap.toFixed(4)} (medians over seeds).\n\n${cTable}\n\nLargest per-centre |ΔC-index| over every seed and centre: ${maxCDelta.toFixed(4)} (target ≤ 0.01). Whole run: ${seconds.toFixed(1)} s.`;
  return { seeds: SEEDS, beta: BETA, perSeed, federated, pooled, stratified, maxGap, maxStratifiedGap, perCentre, maxCDelta, seconds, markdown };
}

/**
 * Replaces the generated part of the survival section of docs/benchmarks/researcher.md (between
 * its markers), leaving the rest of the file, and the reading written under the section, as they are.
 */
function writeReport(result) {
  const file = path.join(root, 'docs', 'benchmarks', 'researcher.md');
  const [begin, end] = ['<!-- survival-cox: generated -->', '<!-- survival-cox: end of generated -->'];
  const generated = `${begin}
\`node tools/bench/survival-cox.mjs\` (after \`npx tsc -b tsconfig.build.json\`), ${new Date().toISOString().slice(0, 10)},
${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}. Seeds ${SEEDS.join(', ')}; figures are medians over the seeds.

Data (synthetic, one data set per seed): 6 centres, proportional hazards h(t | x) = h0(t)·exp(βᵀx) with
a Weibull baseline h0(t) = (k/λ)(t/λ)^(k−1), k = ${WEIBULL.shape}, λ = ${WEIBULL.scale}, β = (${BETA.join(', ')});
x ~ N(μ_c, I) with a per-centre shift of x1 and x2; random censoring C ~ Exp(r_c) and administrative
censoring at τ_c per centre; a quarter of each centre's rows is its fixed test split (\`split\`
column). Every centre is a real node process (\`fedbiomed node start\`), set up with the CLI
(\`init\`, \`dataset add --type csv\` with \`survival\` and \`split\` options), its operator approving
the plan with \`plan approve\`; the researcher is the SDK over gRPC on loopback. Model: Dense(1, no
bias, linear) = βᵀx, loss \`cox_ph\`, β₀ = 0, SGD lr ${LEARNING_RATE}; FedAvg (train-split-size weighting),
${ROUNDS} rounds × ${LOCAL_STEPS} full-batch local steps. Pooled: the same loss and optimiser,
${POOLED_STEPS} full-batch steps on the concatenated train rows (one risk set over all centres), and
stratified by centre (each centre its own risk sets, events-weighted mean of the centres' losses).

${result.markdown}
${end}`;
  const previous = readFileSync(file, 'utf8');
  const next = previous.includes(begin)
    ? previous.slice(0, previous.indexOf(begin)) + generated + previous.slice(previous.indexOf(end) + end.length)
    : `${previous.trimEnd()}\n\n## Survival: federated Cox model vs pooled fit\n\n${generated}\n`;
  writeFileSync(file, next);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
