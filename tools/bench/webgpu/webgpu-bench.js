// Trains cnn64 (shared/notes/backends.md) on the webgpu backend through @fedbiomed/training's
// selectBackend + trainLocal, random data, SGD lr 0.01, a warm-up epoch then timed epochs.
// Prints one JSON line; exits 2 with { ok: false, reason } when no WebGPU adapter is found.
// Usage: node webgpu-bench.js [samplesPerEpoch=2048] [repeats=3] [batch=64]
const training = require('@fedbiomed/training');
const { MODELS, randomDataset } = require('./training-backends-models.js');

async function main() {
  const [samples = '2048', repeats = '3', batchArg] = process.argv.slice(2);
  let selection;
  try {
    selection = await training.selectBackend({ preferGpu: true, allow: ['webgpu'] });
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, impl: 'tfjs-webgpu', reason: err.message })}\n`);
    process.exitCode = 2;
    return;
  }
  const spec = MODELS.cnn64;
  const batch = Number(batchArg ?? spec.batch);
  const model = spec.build();
  const { spec: plan, initialWeights } = training.buildPlan(model, {
    name: 'cnn64',
    loss: 'sparse_categorical_crossentropy',
    optimizer: { name: 'sgd', learningRate: 0.01 },
  });
  const n = Number(samples);
  const dataset = randomDataset(spec, n);
  const indices = Array.from({ length: n }, (_, i) => i);
  // logInterval 0: the loss is read back once per epoch, so no GPU sync per batch.
  const round = (weights) => training.trainLocal({ plan, model, weights, dataset, trainIndices: indices, args: { epochs: 1, batchSize: batch, randomSeed: 1 } });
  let weights = (await round(initialWeights)).weights;
  const rates = [];
  for (let r = 0; r < Number(repeats); r++) {
    const result = await round(weights);
    weights = result.weights;
    rates.push((result.sampleCount * 1000) / result.timing.trainingMs);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ ok: true, impl: 'tfjs-webgpu', model: 'cnn64', batch, samples: n, backend: selection.reason, rates, median: sorted[Math.floor(sorted.length / 2)] })}\n`);
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ ok: false, impl: 'tfjs-webgpu', reason: String(err && err.stack || err) })}\n`);
  process.exitCode = 1;
});
