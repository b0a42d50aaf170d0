// Benchmark of @fedbiomed/strategy's FedAvg (and Krum / Bulyan) against (a) one plain pass over
// the same bytes, the memory-bandwidth floor, and (b) numpy doing Flower's `aggregate` (weighted
// multiply, reduce add, divide), when python3 has numpy.
//
//   npx tsc -b packages/strategy && node --expose-gc tools/bench/strategy-fedavg.mjs [--quick]
//
// Updates are P = 10M float32. K = 100 updates would be 4 GB, so replies cycle through a few
// pre-filled buffers (the aggregator cannot tell: it folds each reply in and lets it go). numpy's
// Flower-style aggregate still makes K weighted copies (4 GB at K = 100): the machine needs about
// 5 GB free. Writes the table to docs/benchmarks/strategy.md (or to $BENCH_REPORT).
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

const quick = process.argv.includes('--quick');
const startLoad = os.loadavg();
const P = quick ? 1_000_000 : 10_000_000;
const BUFFERS = 4;
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

function* replies(k, sample) {
  for (let i = 0; i < k; i++) {
    sample();
    yield { nodeId: `node-${String(i).padStart(3, '0')}`, sampleCount: 100 + i, weights: buffers[i % BUFFERS] };
  }
  sample();
}

async function fedavgOnce(k, sample) {
  const strategy = new FedAvg();
  strategy.configureFit(1, model, Array.from({ length: k }, (_, i) => `node-${String(i).padStart(3, '0')}`));
  const out = await strategy.aggregateFit(1, replies(k, sample), []);
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
for (const k of [10, 100]) {
  const repeats = k === 10 ? 9 : 5;
  await fedavgOnce(k, () => undefined); // warm-up (JIT)
  floorOnce(k, () => undefined);
  const ours = { times: [], extraBytes: 0 };
  const floor = { times: [], extraBytes: 0 };
  const np = { times: [], extra: 0 };
  for (let r = 0; r < repeats; r++) {
    for (const [target, fn] of [
      [ours, (sample) => fedavgOnce(k, sample)],
      [floor, (sample) => floorOnce(k, sample)],
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
  floor.ms = median(floor.times);
  const numpyResult = numpy === null ? { error: 'python3 with numpy not found' } : { times: np.times, extra: np.extra, numpy: numpy.version };
  rows.push({ k, ours, floor, numpy: numpyResult });
  console.log(JSON.stringify({ k, ours, floor, numpy: numpyResult }));
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
  'Ours: `FedAvg.aggregateFit` on a stream of replies (validation of length and NaN/Inf included, Float64 accumulation).',
  'Floor: one plain JS pass summing every input float once. numpy: Flower\'s `aggregate` (weighted multiply, `reduce(np.add)`, divide), float32.',
  'Extra memory: peak growth of `arrayBuffers` (ours, floor) or of RSS (numpy) above the inputs. The three run interleaved, rep by rep (numpy in one long-lived python3 process).',
  '',
  '| K | ours | floor | numpy (Flower) | ours / floor (target ≤ 2) | numpy / ours (target ≥ 1.5) | ours extra memory (target ≤ 2·P·4 = ' + ((2 * P * 4) / MB).toFixed(0) + ' MiB) | numpy extra memory |',
  '|---|---|---|---|---|---|---|---|',
];
const verdicts = [];
for (const { k, ours, floor, numpy } of rows) {
  const numpyMs = numpy.times ? median(numpy.times) : undefined;
  const ratioFloor = ours.ms / floor.ms;
  const ratioNumpy = numpyMs === undefined ? undefined : numpyMs / ours.ms;
  const memOk = ours.extraBytes <= 2 * P * 4;
  lines.push(
    `| ${k} | ${fmt(ours.ms)} | ${fmt(floor.ms)} | ${numpyMs === undefined ? `n/a (${numpy.error})` : fmt(numpyMs)} | ${ratioFloor.toFixed(2)} | ${ratioNumpy === undefined ? 'n/a' : ratioNumpy.toFixed(2)} | ${(ours.extraBytes / MB).toFixed(0)} MiB | ${numpy.extra === undefined ? 'n/a' : `${(numpy.extra / MB).toFixed(0)} MiB`} |`,
  );
  verdicts.push(`- K = ${k}: ≤ 2× floor ${ratioFloor <= 2 ? 'met' : 'NOT met'}; ≥ 1.5× faster than numpy ${ratioNumpy === undefined ? 'not measured' : ratioNumpy >= 1.5 ? 'met' : 'NOT met'}; extra memory ≤ 2·P·4 ${memOk ? 'met' : 'NOT met'}.`);
}
lines.push('', ...verdicts, '', `Repeats: 9 (K = 10), 5 (K = 100), medians; numpy ${rows[0]?.numpy.numpy ?? 'absent'}.`, '');
lines.push(`## Robust rules, ${N} nodes × ${PR.toLocaleString('en')} parameters`, '', '| rule | median time | fastest – slowest |', '|---|---|---|');
for (const r of robust) lines.push(`| ${r.name} | ${fmt(r.ms)} | ${fmt(Math.min(...r.times))} – ${fmt(Math.max(...r.times))} |`);
lines.push('', 'Pairwise distances are K² numbers computed block by block (never K×K×P); times include validation of every reply.', '');
if (!quick) writeFileSync(process.env.BENCH_REPORT ?? path.join(root, 'docs/benchmarks/strategy.md'), lines.join('\n'));
console.log(lines.join('\n'));
