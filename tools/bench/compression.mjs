// Compressed updates (issue 18 part 1): bytes on the wire per round and final accuracy of every
// compression scheme against uncompressed float32, on Fed-Heart-Disease and MNIST.
//
//   npx tsc -b tsconfig.build.json && node tools/bench/compression.mjs [--quick] [--seeds 1,2,3]
//
// Real parts: @fedbiomed/node runtimes (own folder, SQLite registry, plan approval) in this process,
// a ResearcherServer over gRPC on loopback, and a TCP proxy between them counting every byte both
// ways (the wire, framing and heartbeats included). Per run: the median over rounds of the bytes from
// a round's start to its last reply; per scheme: the median over seeds, and the ratio to float32 of
// the same seed. Accuracy: the final global model on every node's test split (sample-weighted).
//   Fed-Heart-Disease: the 4 hospitals, an MLP 13 → 512 → 1 (7,681 parameters), 10 rounds × 30 SGD updates.
//   MNIST: the bundled t10k set split into 3 nodes (by index mod 3), an MLP 784 → 64 → 10
//   (50,890 parameters), 5 rounds × 50 SGD updates, 20% of each node held out for the test.
// Writes docs/benchmarks/compression.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { cpuModel } from './bench-support.mjs';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const load = (name) => require(path.join(root, 'packages', name, 'dist', 'index.js'));
const tf = require('@tensorflow/tfjs');
const { prepareNodeFolder, approvePlanAsOperator, DEMO_DATA_DIR } = load('cli');
const { openNode, startNode } = load('node');
const { Experiment, createTransportFederation } = load('researcher');
const { FedAvg } = load('strategy');
const { buildPlan } = load('training');
const { ResearcherServer } = load('transport');
const { HEART_DISEASE_CENTERS } = load('datasets');

tf.enableProdMode();
const { values: options } = parseArgs({ options: { quick: { type: 'boolean', default: false }, seeds: { type: 'string' } } });
const { quick } = options;
const SEEDS = options.seeds !== undefined ? options.seeds.split(',').map(Number) : quick ? [1] : [1, 2, 3];
const MNIST_NODES = 3;

const q8down = { name: 'qsgd', params: { bits: 8, stochastic: false } };
const SCHEMES = [
  { label: 'float32 (none)', compression: undefined },
  { label: 'float16 ↑↓', compression: { up: { name: 'float16', params: {} }, down: { name: 'float16', params: {} } } },
  { label: 'QSGD 8-bit ↑, 8-bit ↓', compression: { up: { name: 'qsgd', params: { bits: 8, bucketSize: 512 } }, down: q8down } },
  { label: 'QSGD 4-bit ↑, 8-bit ↓', compression: { up: { name: 'qsgd', params: { bits: 4, bucketSize: 512 } }, down: q8down } },
  { label: 'rotated QSGD 4-bit ↑, 8-bit ↓', compression: { up: { name: 'qsgd', params: { bits: 4, rotate: true, bucketSize: 512 } }, down: q8down } },
  { label: 'top-k 5% + EF ↑, 8-bit ↓', compression: { up: { name: 'top_k', params: { fraction: 0.05 } }, down: q8down } },
  { label: 'random-k 25% + EF ↑, 8-bit ↓', compression: { up: { name: 'random_k', params: { fraction: 0.25 } }, down: q8down } },
].filter((scheme, i) => !quick || i === 0 || i === 3);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A TCP proxy counting the bytes both ways between the nodes and the researcher. */
async function countingProxy(target) {
  const [host, port] = target.split(':');
  const counter = { bytes: 0, sockets: new Set() };
  const server = createServer((client) => {
    const upstream = connect(Number(port), host);
    for (const socket of [client, upstream]) {
      counter.sockets.add(socket);
      socket.on('data', (chunk) => (counter.bytes += chunk.length));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => counter.sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  counter.address = `127.0.0.1:${server.address().port}`;
  counter.close = () => {
    for (const socket of counter.sockets) socket.destroy();
    server.close();
  };
  return counter;
}

/** The bundled MNIST t10k split into `parts` IDX pairs (index mod parts), one folder each. */
function mnistShards(dir, parts) {
  const mnist = path.join(root, 'data', 'mnist');
  const images = gunzipSync(readFileSync(path.join(mnist, 't10k-images-idx3-ubyte.gz')));
  const labels = gunzipSync(readFileSync(path.join(mnist, 't10k-labels-idx1-ubyte.gz')));
  const count = labels.readUInt32BE(4);
  const pixels = images.readUInt32BE(8) * images.readUInt32BE(12);
  return Array.from({ length: parts }, (_, part) => {
    const picked = Array.from({ length: count }, (_, i) => i).filter((i) => i % parts === part);
    const imageHeader = Buffer.from(images.subarray(0, 16));
    imageHeader.writeUInt32BE(picked.length, 4);
    const labelHeader = Buffer.from(labels.subarray(0, 8));
    labelHeader.writeUInt32BE(picked.length, 4);
    const shard = path.join(dir, `mnist-${part}`);
    mkdirSync(shard, { recursive: true });
    writeFileSync(path.join(shard, 't10k-images-idx3-ubyte.gz'), gzipSync(Buffer.concat([imageHeader, ...picked.map((i) => images.subarray(16 + i * pixels, 16 + (i + 1) * pixels))])));
    writeFileSync(path.join(shard, 't10k-labels-idx1-ubyte.gz'), gzipSync(Buffer.concat([labelHeader, ...picked.map((i) => labels.subarray(8 + i, 9 + i))])));
    return shard;
  });
}

const TASKS = {
  heart: {
    title: 'Fed-Heart-Disease (4 hospitals, MLP 13 → 512 → 1, 7,681 parameters)',
    tag: 'bench-heart',
    nodes: () => HEART_DISEASE_CENTERS.map((center, index) => ({ name: center, dataset: { dataType: 'heart-disease', path: DEMO_DATA_DIR, options: { center: index } } })),
    model: (seed) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ name: 'hidden', units: 512, activation: 'relu', inputShape: [13], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
          tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
        ],
      }),
    loss: 'binary_crossentropy',
    learningRate: 0.05,
    rounds: quick ? 3 : 10,
    trainingArgs: { numUpdates: 30, batchSize: 8 },
    testRatio: undefined,
  },
  mnist: {
    title: `MNIST t10k (${MNIST_NODES} nodes, MLP 784 → 64 → 10, 50,890 parameters)`,
    tag: 'bench-mnist',
    nodes: (dir) => mnistShards(dir, MNIST_NODES).map((shard, index) => ({ name: `mnist-${index}`, dataset: { dataType: 'mnist', path: shard, options: {} } })),
    model: (seed) =>
      tf.sequential({
        layers: [
          tf.layers.flatten({ name: 'flatten', inputShape: [28, 28, 1] }),
          tf.layers.dense({ name: 'hidden', units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
          tf.layers.dense({ name: 'out', units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
        ],
      }),
    loss: 'sparse_categorical_crossentropy',
    learningRate: 0.1,
    rounds: quick ? 2 : 5,
    trainingArgs: { numUpdates: 50, batchSize: 32 },
    testRatio: 0.2,
  },
};

function plan(task, seed, compression) {
  const model = task.model(seed);
  try {
    return buildPlan(model, {
      name: `compression-bench-${task.tag}`,
      loss: task.loss,
      optimizer: { name: 'sgd', learningRate: task.learningRate },
      metrics: ['accuracy', 'loss'],
      ...(compression && { compression }),
    });
  } finally {
    model.dispose();
  }
}

async function runTask(key, folder) {
  const task = TASKS[key];
  const token = `bench-${key}`;
  const server = new ResearcherServer({ enrolmentTokens: [token], logger: { debug() {}, info() {}, warn() {}, error: console.error } });
  const proxy = await countingProxy(`127.0.0.1:${await server.start()}`);
  const running = [];
  const dirs = [];
  for (const [index, spec] of task.nodes(folder).entries()) {
    const dir = path.join(folder, `${key}-${index}`);
    dirs.push(dir);
    await prepareNodeFolder({ dir, nodeId: `${key}-${index}`, nodeName: spec.name, dataset: { ...spec.dataset, tags: [task.tag] } }, { address: proxy.address, token });
    const node = openNode(dir, { env: { FEDBIOMED_NODE_LOG_LEVEL: 'warn' } });
    running.push({ node, handle: await startNode(node) });
  }
  const rows = [];
  try {
    for (const scheme of SCHEMES) {
      const runs = [];
      for (const seed of SEEDS) {
        const built = plan(task, seed, scheme.compression);
        for (const dir of dirs) approvePlanAsOperator(dir, built.plan, 'bench');
        const experiment = new Experiment({
          tags: [task.tag],
          plan: built,
          strategy: new FedAvg(),
          rounds: task.rounds,
          trainingArgs: task.trainingArgs,
          metrics: ['accuracy'],
          minNodes: dirs.length,
          server: createTransportFederation(server),
          seed,
          ...(task.testRatio !== undefined && { testRatio: task.testRatio }),
        });
        const roundBytes = [];
        let start = 0;
        experiment.subscribe((event) => {
          if (event.type === 'round-started') start = proxy.bytes;
          if (event.type === 'round-completed') roundBytes.push(proxy.bytes - start);
        });
        try {
          await experiment.run();
          const evaluation = await experiment.evaluate();
          runs.push({ seed, bytes: median(roundBytes), accuracy: evaluation.metrics.values.accuracy });
        } finally {
          experiment.close();
        }
        console.error(`${key} ${scheme.label} seed ${seed}: ${runs.at(-1).bytes} B/round, accuracy ${runs.at(-1).accuracy.toFixed(4)}`);
      }
      rows.push({ scheme: scheme.label, runs });
    }
  } finally {
    for (const { node, handle } of running) {
      await handle.stop();
      node.close();
    }
    proxy.close();
    await server.stop();
  }
  const baseline = rows[0].runs;
  return rows.map((row) => ({
    scheme: row.scheme,
    bytes: median(row.runs.map((r) => r.bytes)),
    ratio: median(row.runs.map((r, i) => baseline[i].bytes / r.bytes)),
    accuracy: median(row.runs.map((r) => r.accuracy)),
    accuracyDelta: median(row.runs.map((r, i) => (r.accuracy - baseline[i].accuracy) * 100)),
  }));
}

function table(rows) {
  const lines = ['| scheme | bytes / round (median) | fewer bytes than float32 | final accuracy (median) | Δ accuracy vs float32 (points, median of paired seeds) | ≥ 4× fewer, ≤ 0.5 points lost |', '|---|---:|---:|---:|---:|:---:|'];
  for (const row of rows) {
    const target = row.ratio >= 4 && row.accuracyDelta >= -0.5 ? 'yes' : row.scheme.startsWith('float32') ? '—' : 'no';
    lines.push(`| ${row.scheme} | ${Math.round(row.bytes).toLocaleString('en-US')} | ${row.ratio.toFixed(2)}× | ${(row.accuracy * 100).toFixed(2)}% | ${row.accuracyDelta >= 0 ? '+' : ''}${row.accuracyDelta.toFixed(2)} | ${target} |`);
  }
  return lines.join('\n');
}

async function main() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'fedbiomed-compression-bench-'));
  const results = {};
  try {
    for (const key of Object.keys(TASKS)) results[key] = await runTask(key, folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const cpu = cpuModel();
  const command = `node tools/bench/compression.mjs${quick ? ' --quick' : ''}${options.seeds !== undefined ? ` --seeds ${SEEDS.join(',')}` : ''}`;
  const report = `# Benchmark: compressed updates

Generated by \`${command}\` (after \`npx tsc -b tsconfig.build.json\`) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${cpu}, ${os.cpus().length} logical cores shared with other jobs (figures of bytes are exact; times are not reported).
Seeds: ${SEEDS.join(', ')}; FedAvg; every figure is a median over seeds, ratios and accuracy differences paired by seed.

Bytes are counted by a TCP proxy between the nodes and the researcher (both directions, gRPC/HTTP/2
framing, metrics, loss scalars and heartbeats included), from a round's start to its last reply, as
the median over the run's rounds. ↑ = node → researcher (the update, sent as the delta new − global
weights), ↓ = researcher → node (the global model). EF = error feedback on the node. See
[the compression guide](../guides/compression.md).

## ${TASKS.heart.title}

${TASKS.heart.rounds} rounds × ${TASKS.heart.trainingArgs.numUpdates} SGD updates (batch ${TASKS.heart.trainingArgs.batchSize}, learning rate ${TASKS.heart.learningRate}); FLamby's train/test split.

${table(results.heart)}

## ${TASKS.mnist.title}

${TASKS.mnist.rounds} rounds × ${TASKS.mnist.trainingArgs.numUpdates} SGD updates (batch ${TASKS.mnist.trainingArgs.batchSize}, learning rate ${TASKS.mnist.learningRate}); ${TASKS.mnist.testRatio * 100}% of each node held out.

${table(results.mnist)}
`;
  if (!quick) writeFileSync(path.join(root, 'docs', 'benchmarks', 'compression.md'), report + NOTES);
  console.log(report);
}

// Reading of the figures of the last full run (3 seeds), kept with the script; update it with the tables.
const NOTES = `
## Reading

- **Target (≥ 4× fewer bytes, ≤ 0.5 accuracy points lost) met on both tasks by 4-bit QSGD up with
  8-bit down**: 4.38× (Fed-Heart-Disease) and 5.14× (MNIST), accuracy within ±0.05 points; the
  rotated variant also meets it (4.14×, 4.67×), the padding of each tensor to a power of two
  (MNIST's 50,176-value kernel goes to 65,536) costing bytes with no accuracy gain on these small MLPs.
- Float16 halves the tensors, so it cannot reach 4× by construction (1.90×, 1.99×); accuracy unchanged.
- 8-bit QSGD both ways shrinks the tensors 4×, but gRPC framing, metrics, loss scalars and
  heartbeats stay: 3.47× and 3.90× a round, just short of the target; accuracy within 0.05 points.
- Top-k (5% of each update, with the node's error feedback) reaches 5.06× and 6.16×, the 8-bit
  download then being most of a round; it keeps the accuracy on Fed-Heart-Disease (+1.18 points,
  about three of the 254 test rows) but loses 1.09 points on MNIST after 5 rounds: error feedback
  delays the 95% it drops, and 5 rounds do not catch up. It misses the target there.
- Random-k (25%, error feedback) sends as many bytes as 8-bit QSGD (3.47×, 3.91×) and loses 2.39
  points on MNIST: not worth it against quantisation at this size.
- Quantised runs on Fed-Heart-Disease have the same accuracy as float32 to the row: on 254 test rows
  the small perturbations change no prediction. Seeds are few (the machine is shared); a difference
  under one test sample (Fed-Heart-Disease 0.39 points, MNIST ~0.05 points) is noise.
`;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
