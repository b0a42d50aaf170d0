// Synchronous data parallelism over worker_threads on the wasm backend, against one thread and
// PyTorch CPU (2 and 1 threads), side by side and interleaved in one run. Each replica computes the
// gradients of its shard of every batch; the gradients are averaged through a SharedArrayBuffer and
// every replica applies the same SGD step, so the replicas' weights stay identical.
// Usage (after `npx tsc -b packages/training`): node tools/bench/training-parallel.mjs [rounds] [models]
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
const { MODELS } = require('./training-backends-models.js');

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const rounds = Number(process.argv[2] ?? 5);
const only = (process.argv[3] ?? 'cnn28,cnn64').split(',');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const plans = [
  { model: 'cnn28', samples: 512 },
  { model: 'cnn64', samples: 128 },
].filter((p) => only.includes(p.model));
const hasTorch = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const once = (w, type) => new Promise((resolve) => w.once('message', (m) => (m.type === type ? resolve(m) : resolve(once(w, type)))));

async function group(model, workers, data, seedWeights) {
  const total = seedWeights.length;
  const grads = new SharedArrayBuffer(2 * workers * total * 4);
  const control = new SharedArrayBuffer(8);
  const seed = new SharedArrayBuffer(total * 4);
  new Float32Array(seed).set(seedWeights);
  const replicas = Array.from({ length: workers }, (_, rank) =>
    new Worker(join(here, 'training-parallel-worker.js'), {
      workerData: { rank, workers, model, features: data.features, labels: data.labels, grads, control, seedWeights: seed },
    }),
  );
  await Promise.all(replicas.map((w) => once(w, 'ready')));
  return {
    async epoch(samples) {
      const t0 = performance.now();
      const done = replicas.map((w) => once(w, 'done'));
      for (const w of replicas) w.postMessage({ type: 'epoch', samples });
      await Promise.all(done);
      return (samples * 1000) / (performance.now() - t0);
    },
    async weights() {
      const got = replicas.map((w) => once(w, 'weights'));
      for (const w of replicas) w.postMessage({ type: 'weights' });
      return (await Promise.all(got)).map((m) => m.weights);
    },
    close: () => Promise.all(replicas.map((w) => w.terminate())),
  };
}

const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const torchRun = (model, samples, threads) =>
  JSON.parse(execFileSync(python, [join(here, 'training-backends-torch.py'), model, String(samples), '1', 'cpu', String(threads)], { encoding: 'utf8' }).trim().split('\n').at(-1)).rates[0];

await tf.setBackend('cpu');
const results = [];
for (const { model, samples } of plans) {
  const spec = MODELS[model];
  const width = spec.inputShape.reduce((a, b) => a * b, 1);
  const data = { features: new SharedArrayBuffer(samples * width * 4), labels: new SharedArrayBuffer(samples * 4) };
  new Float32Array(data.features).forEach((_, i, a) => (a[i] = Math.random()));
  new Float32Array(data.labels).forEach((_, i, a) => (a[i] = Math.floor(Math.random() * spec.classes)));
  const built = spec.build();
  const seedWeights = new Float32Array(built.trainableWeights.reduce((n, w) => n + w.read().size, 0));
  let o = 0;
  for (const w of built.trainableWeights) {
    seedWeights.set(w.read().dataSync(), o);
    o += w.read().size;
  }
  built.dispose();
  const one = await group(model, 1, data, seedWeights);
  const two = await group(model, 2, data, seedWeights);
  // Warm-up epoch, then the replicas must agree with each other and with the one-thread run.
  await one.epoch(samples);
  await two.epoch(samples);
  const [w1] = await one.weights();
  const [a, b] = await two.weights();
  const check = { replicas: maxDiff(a, b), vsOne: maxDiff(a, w1) };
  const r = { model, samples, one: [], two: [], torch2: [], torch1: [], check };
  for (let i = 0; i < rounds; i++) {
    r.one.push(await one.epoch(samples));
    r.two.push(await two.epoch(samples));
    if (hasTorch) {
      r.torch2.push(torchRun(model, samples, 2));
      r.torch1.push(torchRun(model, samples, 1));
    }
    console.error(`${model} ${i + 1}/${rounds}: 1 worker ${r.one.at(-1).toFixed(1)}, 2 workers ${r.two.at(-1).toFixed(1)}, torch 2t ${r.torch2.at(-1)?.toFixed(1)}, torch 1t ${r.torch1.at(-1)?.toFixed(1)}`);
  }
  await one.close();
  await two.close();
  results.push(r);
}
const load = execFileSync('uptime', { encoding: 'utf8' }).trim();
const fmt = (x) => x.toFixed(1);
const ratio = (a, b) => (b.length ? `${(median(a) / median(b)).toFixed(2)}×` : '–');
console.log(
  [
    `${new Date().toISOString().slice(0, 16)} UTC, ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, ${rounds} rounds; \`${load}\``,
    '',
    '| model | 1 worker | 2 workers | 2 / 1 | PyTorch 2 threads | 2 workers / PyTorch 2t | PyTorch 1 thread | 2 workers / PyTorch 1t | max weight diff (replicas; vs 1 worker) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) =>
      `| ${r.model} | ${fmt(median(r.one))} | ${fmt(median(r.two))} | ${ratio(r.two, r.one)} | ${r.torch2.length ? fmt(median(r.torch2)) : '–'} | ${ratio(r.two, r.torch2)} | ${r.torch1.length ? fmt(median(r.torch1)) : '–'} | ${ratio(r.two, r.torch1)} | ${r.check.replicas.toExponential(1)}; ${r.check.vsOne.toExponential(1)} |`,
    ),
    '',
    ...results.flatMap((r) => ['one', 'two', 'torch2', 'torch1'].map((k) => `- ${r.model} ${k}: ${r[k].map(fmt).join(', ')}`)),
  ].join('\n'),
);
