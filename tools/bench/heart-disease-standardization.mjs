// Global vs per-node standardisation on Fed-Heart-Disease: the same FedAvg training, once with each
// hospital standardising its features with its own train statistics (`statistics: 'local'`, what
// FLamby's recipe does), once with the global statistics of the four train splits computed by a
// federated analytics query and frozen in the plan (`statistics: 'global'`, part of its approval
// hash), and once with issue 13's federated statistics gathered at the first round (`federated`: the
// same numbers, sent with each request, as a check that both paths agree).
//
//   npx tsc -b tsconfig.build.json && node tools/bench/heart-disease-standardization.mjs [--quick] [--json out.json]
//
// 4 nodes = the 4 hospitals, registered raw (`normalize: false`), each a real @fedbiomed/node runtime
// (folder, SQLite registry, plan approval) on gRPC over loopback, in this process. Logistic
// regression, FLamby's FedAvg protocol: batch 4, 15 rounds × 100 local SGD updates, lr 0.001,
// seeds 42-46 (--quick: one seed, 3 rounds × 20 updates, lr 0.01). Figures: accuracy of the final global model on each
// centre's test split (mean over the 4 centres, then median over seeds) and the pooled ROC AUC of
// the 4 test splits. Writes its section of docs/benchmarks/researcher.md (not with --quick).
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { cpuModel, loadPackage as load, mean, median, startHeartDiseaseNodes } from './bench-support.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
const { buildHeartDiseasePlan, approvePlanAsOperator } = load('cli');
const { Analytics, Experiment, createTransportFederation, globalStandardization } = load('researcher');
const { FedAvg } = load('strategy');

tf.enableProdMode();
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const jsonArg = argv.indexOf('--json');
const jsonOut = jsonArg >= 0 ? argv[jsonArg + 1] : undefined;
const SEEDS = quick ? [42] : [42, 43, 44, 45, 46];
const ROUNDS = quick ? 3 : 15;
const UPDATES = quick ? 20 : 100;
const LEARNING_RATES = quick ? [0.01] : [0.001];
const MODES = ['local', 'global', 'federated'];

async function main() {
  const { server, specs, stop } = await startHeartDiseaseNodes({ tag: 'heart-raw', datasetOptions: { normalize: false }, policy: { analytics: { autoApprove: true } } });
  const runs = [];
  let step;
  try {
    const federation = createTransportFederation(server);
    const analytics = await new Analytics({ federation, tags: ['heart-raw'], minNodes: 4 }).query({
      name: 'heart-train-moments',
      rows: 'train',
      statistics: [{ kind: 'variance', features: Array.from({ length: 13 }, (_, j) => j) }],
    });
    step = globalStandardization(analytics);
    console.log(`global statistics from query ${analytics.querySha256.slice(0, 12)} over ${step.params.sampleCount} train rows`);
    for (const learningRate of LEARNING_RATES) {
      for (const seed of SEEDS) {
        for (const mode of MODES) {
          const preprocessing = [mode === 'global' ? step : { name: 'standardize', params: { statistics: mode } }];
          const plan = buildHeartDiseasePlan({ learningRate, seed, metrics: ['accuracy', 'roc_auc'], preprocessing });
          for (const spec of specs) approvePlanAsOperator(spec.dir, plan.plan, 'benchmark');
          const experiment = new Experiment({
            tags: ['heart-raw'],
            plan,
            strategy: new FedAvg(),
            rounds: ROUNDS,
            trainingArgs: { numUpdates: UPDATES, batchSize: 4 },
            metrics: ['accuracy', 'roc_auc'],
            minNodes: 4,
            server: federation,
            seed,
          });
          const started = performance.now();
          await experiment.run();
          const evaluation = await experiment.evaluate();
          const seconds = (performance.now() - started) / 1000;
          experiment.close();
          const perCenter = specs.map((spec) => evaluation.nodes.find((n) => n.nodeId === spec.nodeId)?.metrics.values.accuracy ?? Number.NaN);
          const auc = evaluation.metrics.values.roc_auc_pooled ?? Number.NaN;
          runs.push({ learningRate, seed, mode, perCenter, accuracy: mean(perCenter), auc, seconds });
          console.log(`lr ${learningRate} seed ${seed} ${mode.padEnd(9)}: ${perCenter.map((a) => a.toFixed(3)).join(' / ')}  mean ${mean(perCenter).toFixed(4)}  pooled AUC ${auc.toFixed(4)}  (${seconds.toFixed(1)} s)`);
        }
      }
    }
  } finally {
    await stop();
  }
  const summary = summarize(runs);
  if (jsonOut !== undefined) writeFileSync(jsonOut, `${JSON.stringify({ step, runs, summary }, null, 2)}\n`);
  const table = markdownTable(summary);
  console.log(`\n${table}\n`);
  if (!quick) writeReport(table);
}

/** Per learning rate and mode: medians over seeds; and global − local per seed, medians. */
function summarize(runs) {
  return LEARNING_RATES.flatMap((learningRate) =>
    MODES.map((mode) => {
      const mine = runs.filter((r) => r.learningRate === learningRate && r.mode === mode);
      const local = runs.filter((r) => r.learningRate === learningRate && r.mode === 'local');
      const gain = mine.map((r) => r.accuracy - local.find((l) => l.seed === r.seed).accuracy);
      return {
        learningRate,
        mode,
        accuracy: median(mine.map((r) => r.accuracy)),
        perCenter: [0, 1, 2, 3].map((c) => median(mine.map((r) => r.perCenter[c]))),
        auc: median(mine.map((r) => r.auc)),
        gainOverLocal: median(gain),
        seconds: median(mine.map((r) => r.seconds)),
      };
    }),
  );
}

function markdownTable(summary) {
  const rows = summary.map(
    (s) =>
      `| ${s.learningRate} | ${s.mode} | ${s.accuracy.toFixed(4)} | ${s.perCenter.map((a) => a.toFixed(3)).join(' / ')} | ${s.auc.toFixed(4)} | ${s.mode === 'local' ? '–' : `${s.gainOverLocal >= 0 ? '+' : ''}${s.gainOverLocal.toFixed(4)}`} | ${s.seconds.toFixed(1)} |`,
  );
  return [
    '| client lr | standardisation | median accuracy (mean of 4 centres) | median per centre c0/c1/c2/c3 | median pooled ROC AUC | median gain over local (paired by seed) | median s / run |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function writeReport(table) {
  const cpu = cpuModel();
  const begin = '<!-- heart-disease-standardization:begin -->';
  const end = '<!-- heart-disease-standardization:end -->';
  const generated = `${begin}
\`node tools/bench/heart-disease-standardization.mjs\` (after \`npx tsc -b tsconfig.build.json\`), ${new Date().toISOString().slice(0, 10)},
${cpu}, ${os.cpus().length} cores, Node ${process.version}; the machine is shared with other jobs (the
accuracies do not depend on load, the timings do).

The 4 hospitals registered raw; logistic regression, FedAvg (train-split-size weighting), batch 4,
${ROUNDS} rounds × ${UPDATES} local SGD updates, seeds ${SEEDS.join(', ')} (initial weights and shuffling), one
run per seed, learning rate and standardisation. \`local\`: each hospital standardises with its own
train mean and standard deviation (FLamby's recipe does the same). \`global\`: the mean and population
standard deviation of the four train splits together, computed by one federated analytics query
(\`rows: 'train'\`, a \`variance\` of the 13 features, pooled from the nodes' exact moments) and frozen in
the plan's \`standardize\` step, so every operator approves them with the plan's hash and the exported
model carries them. \`federated\`: issue 13's path, the same statistics gathered from the nodes at the
first round and sent with each request (not under the hash); it must match \`global\`.

${table}
${end}`;
  const file = path.join(root, 'docs', 'benchmarks', 'researcher.md');
  const previous = readFileSync(file, 'utf8');
  const next = previous.includes(begin)
    ? previous.slice(0, previous.indexOf(begin)) + generated + previous.slice(previous.indexOf(end) + end.length)
    : `${previous.trimEnd()}\n\n## Standardisation: global statistics (federated analytics) vs each node's own\n\n${generated}\n`;
  writeFileSync(file, next);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
