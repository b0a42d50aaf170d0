// Benchmark of @fedbiomed/strategy's FedAvg (and Krum / Bulyan) against (a) one plain pass over
// the same bytes, the memory-bandwidth floor, and (b) numpy doing Flower's `aggregate` (weighted
// multiply, reduce add, divide), when python3 has numpy.
//
//   npx tsc -b packages/strategy && node --expose-gc tools/bench/strategy-fedavg.mjs [--quick]
//
// Updates are P = 10M float32. Ours runs twice: on an array of replies (what the researcher's round
// runner passes: FedAvg averages it block by block across all replies) and on an async stream
// (folded in as replies arrive). K = 10 uses 10 distinct buffers; K = 100 would be 4 GB, so its
// replies cycle through the same 10 (the stream path cannot tell; the list path then reads 9 in 10
// reply blocks from cache, so its K = 100 figure is a best case). numpy's Flower-style aggregate
// still makes K weighted copies (4 GB at K = 100): the machine needs about 5 GB free. Writes the
// table to docs/benchmarks/strategy.md (or to $BENCH_REPORT). With $STRATEGY_BASELINE_DIST set to
// another build's dist/ (e.g. the previous commit's; $STRATEGY_BASELINE_LABEL names it in the
// report), its FedAvg runs interleaved too, on the list.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { FedAvg, Krum, Bulyan, createLayout, createSeededRng } = require(path.join(root, 'packages/strategy/dist/index.js'));

const baselineDist = process.env.STRATEGY_BASELINE_DIST;
const Baseline = baselineDist ? require(path.resolve(baselineDist, 'index.js')).FedAvg : undefined;
const baselineLabel = process.env.STRATEGY_BASELINE_LABEL ?? `the build in \`${baselineDist}\``;
const quick = process.argv.includes('--quick');
const startLoad = os.loadavg();
const P = quick ? 1_000_000 : 10_000_000;
const BUFFERS = 10;
const MB = 1024 * 1024;
const gc = globalThis.gc ?? (() => undefined);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function makeBuffers(count, size, seed) {
  const rng = createSeededRng(seed);
  return Array.from({ length: count }, () => {
    const buffer = new Float32Array(size);
    for (let i = 0; i < size; i++) buffer[i] = rng.nextFloat() - 0.5;
    return buffer;
  });
}

const buffers = makeBuffers(BUFFERS, P, 1);
const layout = createLayout([{ name: 'flat', shape: [P] }]);
const model = { layout, weights: new Float32Array(P) };

/** Runs `fn` `repeats` times; returns median ms and the peak extra arrayBuffers bytes seen by `sample`. */
async function measure(repeats, fn) {
  const times = [];
  let peakExtra = 0;
  for (let r = 0; r < repeats; r++) {
    gc();
    const base = process.memoryUsage().arrayBuffers;
    const sample = () => {
      peakExtra = Math.max(peakExtra, process.memoryUsage().arrayBuffers - base);
    };
    const start = process.hrtime.bigint();
    await fn(sample);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: median(times), extraBytes: peakExtra, times };
}

const nodeIds = (k) => Array.from({ length: k }, (_, i) => `node-${String(i).padStart(3, '0')}`);
const replyList = (k) => nodeIds(k).map((nodeId, i) => ({ nodeId, sampleCount: 100 + i, weights: buffers[i % BUFFERS] }));

async function* replyStream(k, sample) {
  for (const reply of replyList(k)) {
    sample();
    yield reply;
  }
  sample();
}

async function fedavgOnce(k, sample, stream, Strategy = FedAvg) {
  const strategy = new Strategy();
  strategy.configureFit(1, model, nodeIds(k));
  const out = await strategy.aggregateFit(1, stream ? replyStream(k, sample) : replyList(k), []);
  sample();
  return out.weights[0];
}

function floorOnce(k, sample) {
  // One read of every input float: the least any aggregate must do.
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const x = buffers[i % BUFFERS];
    for (let j = 0; j < x.length; j++) sum += x[j];
    sample();
  }
  return sum;
}

/**
 * A long-lived python3 process running Flower's `aggregate` on request, so its runs interleave
 * with ours (the machine is shared: interleaving spreads the load evenly over all three).
 * Each request is a K; each answer the time in ms and the peak extra RSS so far.
 */
function startNumpy() {
  const script = `
import sys, time, resource, json
from functools import reduce
import numpy as np
P, B = ${P}, ${BUFFERS}
rng = np.random.default_rng(1)
buffers = [(rng.random(P, dtype=np.float32) - 0.5) for _ in range(B)]
def aggregate(results):
    # flwr/server/strategy/aggregate.py: aggregate()
    num_examples_total = sum(n for (_, n) in results)
    weighted_weights = [[layer * n for layer in weights] for weights, n in results]
    return [reduce(np.add, layer_updates) / num_examples_total for layer_updates in zip(*weighted_weights)]
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()
base = rss()
print(json.dumps({"ready": True, "numpy": np.__version__}), flush=True)
for line in sys.stdin:
    K = int(line)
    results = [([buffers[i % B]], 100 + i) for i in range(K)]
    t = time.perf_counter(); aggregate(results); ms = (time.perf_counter() - t) * 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"ms": ms, "extra": peak - base}), flush=True)
`;
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const next = () => new Promise((resolve) => waiting.push(resolve));
  const exited = new Promise((resolve) => child.on('error', () => resolve(null)).on('exit', () => resolve(null)));
  return Promise.race([next(), exited]).then((hello) =>
    hello === null
      ? null
      : {
          version: hello.numpy,
          run: (k) => {
            child.stdin.write(`${k}\n`);
            return next();
          },
          close: () => child.stdin.end(),
        },
  );
}

const numpy = await startNumpy();
const rows = [];
const REPEATS = { 10: 15, 100: 5 };
for (const k of [10, 100]) {
  const repeats = REPEATS[k];
  await fedavgOnce(k, () => undefined, false); // warm-up (JIT)
  await fedavgOnce(k, () => undefined, true);
  if (Baseline) await fedavgOnce(k, () => undefined, false, Baseline);
  floorOnce(k, () => undefined);
  const baseline = { times: [], extraBytes: 0 };
  const ours = { times: [], extraBytes: 0 };
  const stream = { times: [], extraBytes: 0 };
  const floor = { times: [], extraBytes: 0 };
  const np = { times: [], extra: 0 };
  for (let r = 0; r < repeats; r++) {
    for (const [target, fn] of [
      [ours, (sample) => fedavgOnce(k, sample, false)],
      [stream, (sample) => fedavgOnce(k, sample, true)],
      [floor, (sample) => floorOnce(k, sample)],
      ...(Baseline ? [[baseline, (sample) => fedavgOnce(k, sample, false, Baseline)]] : []),
    ]) {
      const one = await measure(1, fn);
      target.times.push(one.ms);
      target.extraBytes = Math.max(target.extraBytes, one.extraBytes);
    }
    if (numpy !== null) {
      const one = await numpy.run(k);
      np.times.push(one.ms);
      np.extra = Math.max(np.extra, one.extra);
    }
  }
  ours.ms = median(ours.times);
  stream.ms = median(stream.times);
  floor.ms = median(floor.times);
  baseline.ms = Baseline ? median(baseline.times) : undefined;
  const numpyResult = numpy === null ? { error: 'python3 with numpy not found' } : { times: np.times, extra: np.extra, numpy: numpy.version };
  rows.push({ k, ours, stream, floor, baseline, numpy: numpyResult });
  console.log(JSON.stringify({ k, ours, stream, floor, baseline, numpy: numpyResult }));
}
numpy?.close();

// Krum and Bulyan: 50 nodes × 1M parameters.
const N = 50;
const PR = 1_000_000;
const robustInputs = makeBuffers(N, PR, 2);
const robustModel = { layout: createLayout([{ name: 'flat', shape: [PR] }]), weights: new Float32Array(PR) };
const robust = [];
for (const [name, make] of [
  ['Krum (f = 10)', () => new Krum({ byzantineNodes: 10 })],
  ['Multi-Krum (f = 10, m = 20)', () => new Krum({ byzantineNodes: 10, selected: 20 })],
  ['Bulyan (f = 10)', () => new Bulyan({ byzantineNodes: 10 })],
]) {
  const run = async () => {
    const strategy = make();
    const ids = robustInputs.map((_, i) => `node-${String(i).padStart(2, '0')}`);
    strategy.configureFit(1, robustModel, ids);
    await strategy.aggregateFit(1, robustInputs.map((weights, i) => ({ nodeId: ids[i], sampleCount: 10, weights })), []);
  };
  await run();
  const result = await measure(3, run);
  robust.push({ name, ...result });
  console.log(JSON.stringify({ name, ...result }));
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const load = (values) => values.map((v) => v.toFixed(1)).join(' / ');
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const lines = [
  '# @fedbiomed/strategy benchmarks',
  '',
  `Machine: ${cpu}, ${os.cpus().length} cores (shared with other jobs: medians of repeated runs), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  `Command: \`npx tsc -b packages/strategy && node --expose-gc tools/bench/strategy-fedavg.mjs\`${quick ? ' (--quick: P = 1M)' : ''}.`,
  `Load average (1 / 5 / 15 min) at start: ${load(startLoad)}; at end: ${load(os.loadavg())}. Other helpers' jobs share the 2 cores: absolute times vary about 2× run to run; ratios of interleaved runs are steadier.`,
  '',
  `## FedAvg, P = ${P.toLocaleString('en')} float32 per update`,
  '',
  'Ours (list): `FedAvg.aggregateFit` on an array of replies, as the researcher\'s round runner passes them (block by block across all replies). Ours (stream): the same replies as an async stream, folded in as they arrive. Both include validation (length, NaN/Inf) and Float64 accumulation, and give the same bits.',
  `Floor: one plain JS pass summing every input float once. numpy: Flower's \`aggregate\` (weighted multiply, \`reduce(np.add)\`, divide), float32. K = 10 reads 10 distinct buffers; K = 100 cycles through the same 10, so the list path reads 9 in 10 reply blocks from cache there (a best case).`,
  'Extra memory: peak growth of `arrayBuffers` (ours, floor) or of RSS (numpy) above the inputs. The list path reserves 2·P·4 bytes but writes only the P·4 of the float32 result (the rest is touched only to fall back on a NaN reply). All four run interleaved, rep by rep (numpy in one long-lived python3 process).',
  '',
  '| K | ours (list) | ours (stream) | floor | numpy (Flower) | list / floor (target ≤ 2) | numpy / list (target ≥ 1.5) | numpy / stream | extra memory list / stream (target ≤ 2·P·4 = ' + ((2 * P * 4) / MB).toFixed(0) + ' MiB) | numpy extra memory |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
const verdicts = [];
for (const { k, ours, stream, floor, numpy } of rows) {
  const numpyMs = numpy.times ? median(numpy.times) : undefined;
  const ratioFloor = ours.ms / floor.ms;
  const ratioNumpy = numpyMs === undefined ? undefined : numpyMs / ours.ms;
  const memOk = Math.max(ours.extraBytes, stream.extraBytes) <= 2 * P * 4;
  lines.push(
    `| ${k} | ${fmt(ours.ms)} | ${fmt(stream.ms)} | ${fmt(floor.ms)} | ${numpyMs === undefined ? `n/a (${numpy.error})` : fmt(numpyMs)} | ${ratioFloor.toFixed(2)} | ${ratioNumpy === undefined ? 'n/a' : ratioNumpy.toFixed(2)} | ${numpyMs === undefined ? 'n/a' : (numpyMs / stream.ms).toFixed(2)} | ${(ours.extraBytes / MB).toFixed(0)} / ${(stream.extraBytes / MB).toFixed(0)} MiB | ${numpy.extra === undefined ? 'n/a' : `${(numpy.extra / MB).toFixed(0)} MiB`} |`,
  );
  verdicts.push(`- K = ${k}: ≤ 2× floor ${ratioFloor <= 2 ? 'met' : 'NOT met'}; ≥ 1.5× faster than numpy ${ratioNumpy === undefined ? 'not measured' : ratioNumpy >= 1.5 ? 'met' : 'NOT met'}; extra memory ≤ 2·P·4 ${memOk ? 'met' : 'NOT met'}.`);
}
if (Baseline) {
  lines.push('', `Baseline: \`FedAvg\` of ${baselineLabel}, on the same list, interleaved with the runs above.`, '', '| K | baseline | ours (list) | baseline / ours | numpy / baseline | baseline extra memory |', '|---|---|---|---|---|---|');
  for (const { k, ours, baseline, numpy } of rows) {
    const numpyMs = numpy.times ? median(numpy.times) : undefined;
    lines.push(`| ${k} | ${fmt(baseline.ms)} | ${fmt(ours.ms)} | ${(baseline.ms / ours.ms).toFixed(2)} | ${numpyMs === undefined ? 'n/a' : (numpyMs / baseline.ms).toFixed(2)} | ${(baseline.extraBytes / MB).toFixed(0)} MiB |`);
  }
}
lines.push(
  '',
  'Where the time goes. The float32 → Float64 conversion, multiply and add of every input value is the work itself; the list path adds only one float32 write per coordinate (the last batch of each block writes (Σ + term) / Σw straight to the result) and the page faults of the fresh result. The stream path also reads and writes its P-sized Float64 sum once per four replies and narrows it in a final pass, which is what the list path saves at small K. numpy\'s Flower aggregate allocates K weighted copies and K − 1 sums (fresh pages each), so it slows down more than ours when the machine is loaded: the ratio moves with the load.',
);
for (const { k, ours, stream, numpy } of rows) {
  if (!numpy.times) continue;
  const fastest = (xs) => Math.min(...xs);
  verdicts.push(
    `- K = ${k}, fastest reps (least load): list ${fmt(fastest(ours.times))}, stream ${fmt(fastest(stream.times))}, numpy ${fmt(fastest(numpy.times))}; numpy / list ${(fastest(numpy.times) / fastest(ours.times)).toFixed(2)}.`,
  );
}
lines.push('', ...verdicts, '', `Repeats: ${REPEATS[10]} (K = 10), ${REPEATS[100]} (K = 100), interleaved, medians; numpy ${rows[0]?.numpy.numpy ?? 'absent'}.`, '');
lines.push(`## Robust rules, ${N} nodes × ${PR.toLocaleString('en')} parameters`, '', '| rule | median time | fastest – slowest |', '|---|---|---|');
for (const r of robust) lines.push(`| ${r.name} | ${fmt(r.ms)} | ${fmt(Math.min(...r.times))} – ${fmt(Math.max(...r.times))} |`);
lines.push('', 'Pairwise distances are K² numbers computed block by block (never K×K×P); times include validation of every reply.', '');
if (!quick) writeFileSync(process.env.BENCH_REPORT ?? path.join(root, 'docs/benchmarks/strategy.md'), lines.join('\n'));
console.log(lines.join('\n'));
