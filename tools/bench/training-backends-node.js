// Our side of the training benchmark: one model, through selectBackend + buildPlan + trainLocal on
// random data (SGD lr 0.01), warm-up epochs for 4 s, then `repeats` timed epochs. Prints one JSON line.
// Usage: node tools/bench/training-backends-node.js <cnn28|cnn64> <samplesPerEpoch> <repeats> [threads] [backend,...]
// threads > 1: data parallelism over worker threads (DataParallelTraining, wasm backend).
const training = require('../../packages/training/dist/index.js');
const { MODELS, randomDataset } = require('./training-backends-models.js');

const WARM_UP_MS = 4000;

async function main() {
  const [name = 'cnn28', samples = '512', repeats = '3', threads = '1', allow] = process.argv.slice(2);
  const spec = MODELS[name];
  const selection = await training.selectBackend(allow ? { allow: allow.split(',') } : {});
  const model = spec.build();
  const { spec: plan, initialWeights } = training.buildPlan(model, {
    name,
    loss: 'sparse_categorical_crossentropy',
    optimizer: { name: 'sgd', learningRate: 0.01 },
    metrics: ['loss'],
  });
  const n = Number(samples);
  const dataset = randomDataset(spec, n);
  const indices = Array.from({ length: n }, (_, i) => i);
  const parallel = Number(threads) > 1 ? await training.DataParallelTraining.start({ threads: Number(threads) }) : undefined;
  const round = (weights) =>
    training.trainLocal({ plan, model, weights, dataset, trainIndices: indices, args: { epochs: 1, batchSize: spec.batch, randomSeed: 1 }, parallel });
  // Warm-up: V8 tiers the hot wasm and JavaScript up to optimised code during the first seconds;
  // the timed epochs measure steady state, as PyTorch's (which has nothing to warm up but its caches).
  let weights = initialWeights;
  for (const started = performance.now(); performance.now() - started < WARM_UP_MS; ) weights = (await round(weights)).weights;
  const rates = [];
  const cpuRates = [];
  const cpuSeconds = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  for (let r = 0; r < Number(repeats); r++) {
    const c0 = cpuSeconds();
    const result = await round(weights);
    cpuRates.push(result.sampleCount / (cpuSeconds() - c0));
    weights = result.weights;
    rates.push((result.sampleCount * 1000) / result.timing.trainingMs);
  }
  await parallel?.close();
  process.stdout.write(`${JSON.stringify({ impl: 'tfjs', model: name, threads: Number(threads), backend: selection.backend, reason: selection.reason, rates, cpuRates })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
