// Training throughput of @fedbiomed/training's default backend against PyTorch CPU, side by side at
// the same thread count: cnn28 and cnn64 of shared/notes/backends.md, random data, SGD lr 0.01,
// 4 s of warm-up epochs, then timed epochs. Ours on 1 thread (trainLocal) and on 2 (DataParallelTraining,
// one worker thread); PyTorch with torch.set_num_threads(1) and (2). Within each round the four runs
// alternate so all see the same load; the report gives medians over every timed epoch and writes
// docs/benchmarks/training.md.
// Usage (after `npx tsc -b packages/training`): node tools/bench/training-backends.mjs [rounds] [models]
// PyTorch: Debian python3-torch (/usr/bin/python3); its columns are empty when it is absent.
// 1-thread runs are pinned to one core with taskset (util-linux) when it is there.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const rounds = Number(process.argv[2] ?? 3);
const only = (process.argv[3] ?? 'cnn28,cnn64').split(',');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const plans = [
  { model: 'cnn28', samples: 1024, repeats: 3, target: 0.5 },
  { model: 'cnn64', samples: 128, repeats: 2, target: 0.25 },
].filter((p) => only.includes(p.model));
const THREADS = [1, 2];

const hasTorch = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const runOnce = (cmd, args) => JSON.parse(execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').at(-1));
// One retry: on a shared machine a child can die of memory pressure; a second failure stops the run.
const run = (cmd, args) => {
  try {
    return runOnce(cmd, args);
  } catch (err) {
    console.error(`retrying ${args[0]} after: ${String(err.stderr ?? err.message).trim().split('\n').at(-1)}`);
    return runOnce(cmd, args);
  }
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// One-thread runs are pinned to one core (taskset), ours and PyTorch alike: torch.set_num_threads(1)
// still keeps a second core busy with a spinning helper thread, so without pinning "1 thread" is not
// the same resources on both sides.
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
const pinned = (threads, cmd, args) => (threads === 1 && hasTaskset ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args]);

const results = [];
let backend = '';
let torchBackend = '';
const empty = () => ({ rates: [], cpuRates: [], roundMedians: [] });
for (const { model, samples, repeats, target } of plans) {
  const ours = Object.fromEntries(THREADS.map((t) => [t, empty()]));
  const torch = Object.fromEntries(THREADS.map((t) => [t, empty()]));
  const record = (into, run) => {
    into.rates.push(...run.rates);
    into.cpuRates.push(...run.cpuRates);
    into.roundMedians.push(median(run.rates));
  };
  for (let r = 0; r < rounds; r++) {
    for (const threads of THREADS) {
      const a = run(...pinned(threads, process.execPath, [join(here, 'training-backends-node.js'), model, String(samples), String(repeats), String(threads)]));
      record(ours[threads], a);
      backend = a.reason;
      if (hasTorch) {
        const b = run(...pinned(threads, python, [join(here, 'training-backends-torch.py'), model, String(samples), String(repeats), 'cpu', String(threads)]));
        record(torch[threads], b);
        torchBackend = b.backend.replace(/ \d+ threads?$/, '');
      }
    }
    console.error(`${model} round ${r + 1}/${rounds}: ${THREADS.map((t) => `${t}t ours ${ours[t].roundMedians.at(-1).toFixed(0)} torch ${torch[t].roundMedians.at(-1)?.toFixed(0) ?? '–'}`).join('; ')}`);
  }
  results.push({ model, target, ours, torch });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const load = execFileSync('uptime', { encoding: 'utf8' }).trim();
const ratio = (a, b) => (b.length ? `${(median(a) / median(b)).toFixed(2)}×` : '–');
const pairedRatio = (a, b) => (b.length ? `${median(a.map((x, i) => x / b[i])).toFixed(2)}×` : '–');
const fmt = (xs) => (xs.length ? median(xs).toFixed(1) : '–');
const lines = [
  '# Training throughput: @fedbiomed/training vs PyTorch CPU',
  '',
  `Measured ${new Date().toISOString().slice(0, 16)} UTC by \`node tools/bench/training-backends.mjs ${rounds}\` on ${cpu}, ${cpus().length} cores, Node ${process.version}.`,
  'Models of `shared/notes/backends.md` (cnn28: batch 32, cnn64: batch 64), random data, SGD lr 0.01, training samples/s after 4 s of warm-up epochs,',
  `through \`trainLocal\`. Ours: ${backend}; 2 threads = \`DataParallelTraining\` with one worker thread (node config \`training.threads: 2\`).`,
  `PyTorch: ${hasTorch ? `${torchBackend}, \`torch.set_num_threads\` 1 and 2` : 'not installed (run `apt-get install -y python3-torch`)'}.`,
  `Each of the ${rounds} rounds runs ours and PyTorch at 1 thread, then at 2, back to back, so each pair sees the same load.`,
  `1-thread runs are ${hasTaskset ? 'pinned to one core (`taskset -c 0`) on both sides' : 'not pinned (no taskset here)'}: PyTorch with \`set_num_threads(1)\` otherwise keeps a second core busy spinning.`,
  `Load at the end of the run: \`${load}\`.`,
  '',
  'Columns: medians over every timed epoch (wall clock); "paired" is the median over rounds of each round\'s own ratio',
  '(ours and PyTorch measured minutes apart, so slow drifts of the shared machine cancel); "per CPU-second" is samples per',
  'second of process CPU time, which host contention does not inflate (for 1 thread it is the throughput of a free core).',
  '',
  '| model | threads | ours (samples/s) | PyTorch (samples/s) | ours / PyTorch | paired | ours per CPU-s | PyTorch per CPU-s | ratio per CPU-s | target |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...results.flatMap((r) =>
    THREADS.map(
      (t) =>
        `| ${r.model} | ${t} | ${fmt(r.ours[t].rates)} | ${fmt(r.torch[t].rates)} | ${ratio(r.ours[t].rates, r.torch[t].rates)} | ${pairedRatio(r.ours[t].roundMedians, r.torch[t].roundMedians)} | ` +
        `${fmt(r.ours[t].cpuRates)} | ${fmt(r.torch[t].cpuRates)} | ${ratio(r.ours[t].cpuRates, r.torch[t].cpuRates)} | ≥ ${r.target}× |`,
    ),
  ),
  '',
  'Every timed epoch (samples/s, wall clock):',
  '',
  ...results.flatMap((r) =>
    THREADS.flatMap((t) => [
      `- ${r.model}, ${t} thread${t > 1 ? 's' : ''}, ours: ${r.ours[t].rates.map((x) => x.toFixed(1)).join(', ')}`,
      `- ${r.model}, ${t} thread${t > 1 ? 's' : ''}, PyTorch: ${r.torch[t].rates.map((x) => x.toFixed(1)).join(', ') || '–'}`,
    ]),
  ),
  '',
  'How the figures were obtained and what limits them: [training-notes.md](training-notes.md) (written by hand; this script',
  'regenerates this file only). WebGPU on a lent H200: [training-webgpu.md](training-webgpu.md).',
  '',
];
const out = join(root, 'docs', 'benchmarks', 'training.md');
writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
