// Training throughput of @fedbiomed/training's default backend against PyTorch CPU, side by side at
// the same thread count: cnn28 and cnn64 of shared/notes/backends.md, random data, SGD lr 0.01,
// warm-up epoch, then timed epochs. Ours on 1 thread (trainLocal) and on 2 (DataParallelTraining,
// one worker thread); PyTorch with torch.set_num_threads(1) and (2). Within each round the four runs
// alternate so all see the same load; the report gives medians over every timed epoch and writes
// docs/benchmarks/training.md.
// Usage (after `npx tsc -b packages/training`): node tools/bench/training-backends.mjs [rounds] [models]
// PyTorch: Debian python3-torch (/usr/bin/python3); its columns are empty when it is absent.
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
  { model: 'cnn28', samples: 512, repeats: 3, target: 0.5 },
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

const results = [];
let backend = '';
let torchBackend = '';
for (const { model, samples, repeats, target } of plans) {
  const ours = Object.fromEntries(THREADS.map((t) => [t, []]));
  const torch = Object.fromEntries(THREADS.map((t) => [t, []]));
  for (let r = 0; r < rounds; r++) {
    for (const threads of THREADS) {
      const a = run(process.execPath, [join(here, 'training-backends-node.js'), model, String(samples), String(repeats), String(threads)]);
      ours[threads].push(...a.rates);
      backend = a.reason;
      if (hasTorch) {
        const b = run(python, [join(here, 'training-backends-torch.py'), model, String(samples), String(repeats), 'cpu', String(threads)]);
        torch[threads].push(...b.rates);
        torchBackend = b.backend.replace(/ \d+ threads?$/, '');
      }
    }
    console.error(`${model} round ${r + 1}/${rounds}: ${THREADS.map((t) => `${t}t ours ${ours[t].slice(-repeats).map((x) => x.toFixed(0)).join('/')} torch ${torch[t].slice(-repeats).map((x) => x.toFixed(0)).join('/')}`).join('; ')}`);
  }
  results.push({ model, target, ours, torch });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const load = execFileSync('uptime', { encoding: 'utf8' }).trim();
const ratio = (a, b) => (b.length ? `${(median(a) / median(b)).toFixed(2)}×` : '–');
const lines = [
  '# Training throughput: @fedbiomed/training vs PyTorch CPU',
  '',
  `Measured ${new Date().toISOString().slice(0, 16)} UTC by \`node tools/bench/training-backends.mjs ${rounds}\` on ${cpu}, ${cpus().length} cores, Node ${process.version}.`,
  'Models of `shared/notes/backends.md` (cnn28: batch 32, cnn64: batch 64), random data, SGD lr 0.01, training samples/s after a warm-up epoch,',
  `through \`trainLocal\`. Ours: ${backend}; 2 threads = \`DataParallelTraining\` with one worker thread (node config \`training.threads: 2\`).`,
  `PyTorch: ${hasTorch ? `${torchBackend}, \`torch.set_num_threads\` 1 and 2` : 'not installed (run `apt-get install -y python3-torch`)'}.`,
  `Within each of the ${rounds} rounds the four runs alternate, so all see the same load; cells are medians over every timed epoch.`,
  `Load at the end of the run: \`${load}\`.`,
  '',
  '| model | threads | ours (samples/s) | PyTorch CPU (samples/s) | ours / PyTorch | target |',
  '|---|---|---|---|---|---|',
  ...results.flatMap((r) =>
    THREADS.map((t) => `| ${r.model} | ${t} | ${median(r.ours[t]).toFixed(1)} | ${r.torch[t].length ? median(r.torch[t]).toFixed(1) : '–'} | ${ratio(r.ours[t], r.torch[t])} | ≥ ${r.target}× |`),
  ),
  '',
  'Every timed epoch (samples/s):',
  '',
  ...results.flatMap((r) =>
    THREADS.flatMap((t) => [
      `- ${r.model}, ${t} thread${t > 1 ? 's' : ''}, ours: ${r.ours[t].map((x) => x.toFixed(1)).join(', ')}`,
      `- ${r.model}, ${t} thread${t > 1 ? 's' : ''}, PyTorch: ${r.torch[t].map((x) => x.toFixed(1)).join(', ') || '–'}`,
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
