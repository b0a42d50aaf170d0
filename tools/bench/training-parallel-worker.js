// One replica of the data-parallel training benchmark (tools/bench/training-parallel.mjs): its own
// tfjs + wasm backend (with this package's kernels), the shared model weights, and a shard of every batch.
// Gradients go through a SharedArrayBuffer: each replica writes its shard's gradients, one barrier,
// then every replica averages all slots in the same order and applies the same SGD step, so the
// replicas' weights stay bit-identical. Slots alternate by step parity, so one barrier per step is
// enough: a replica cannot overwrite a slot the other is still reading. With one worker it runs the
// trainLocal step (gradients stay on the backend): the baseline.
const { parentPort, workerData } = require('node:worker_threads');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const { registerWasmKernels } = require('../../packages/training/dist/backends/wasm-kernels.js');
const { lossFunction } = require('../../packages/training/dist/loop/losses.js');
const { MODELS } = require('./training-backends-models.js');

const { rank, workers, model: name, features, labels, grads, control, seedWeights } = workerData;
const spec = MODELS[name];
const width = spec.inputShape.reduce((a, b) => a * b, 1);
const x = new Float32Array(features);
const y = new Float32Array(labels);
const ctl = new Int32Array(control);

function barrier() {
  const generation = Atomics.load(ctl, 1);
  if (Atomics.add(ctl, 0, 1) === workers - 1) {
    Atomics.store(ctl, 0, 0);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  } else {
    while (Atomics.load(ctl, 1) === generation) Atomics.wait(ctl, 1, generation);
  }
}

async function main() {
  registerWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
  const model = spec.build();
  const variables = model.trainableWeights.map((w) => w.read());
  // Same initial weights on every replica.
  let offset = 0;
  const seed = new Float32Array(seedWeights);
  for (const v of variables) {
    v.assign(tf.tensor(seed.subarray(offset, offset + v.size), v.shape));
    offset += v.size;
  }
  const total = offset;
  const slots = new Float32Array(grads); // [2 parities][workers][total]
  const mean = new Float32Array(total);
  const optimizer = tf.train.sgd(0.01);
  const lossFn = lossFunction('sparse_categorical_crossentropy');
  const shard = spec.batch / workers;
  let step = 0;

  const gradsOf = (start, count) =>
    tf.tidy(() => {
      const xs = tf.tensor(x.subarray(start * width, (start + count) * width), [count, ...spec.inputShape]);
      const ys = tf.tensor2d(y.subarray(start, start + count), [count, 1]);
      const { value, grads: g } = tf.variableGrads(() => lossFn(ys, model.apply(xs, { training: true })), variables);
      value.dispose();
      return variables.map((v) => g[v.name]);
    });

  const epoch = (samples) => {
    for (let b = 0; b + spec.batch <= samples; b += spec.batch) {
      if (workers === 1) {
        // Baseline: the trainLocal step, gradients never leave the backend.
        const g = gradsOf(b, spec.batch);
        optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: g[i] })));
        tf.dispose(g);
        continue;
      }
      const g = gradsOf(b + rank * shard, shard);
      const base = ((step & 1) * workers + rank) * total;
      let o = 0;
      for (const t of g) {
        slots.set(t.dataSync(), base + o);
        o += t.size;
      }
      tf.dispose(g);
      barrier();
      const first = (step & 1) * workers * total;
      mean.set(slots.subarray(first, first + total));
      for (let w = 1; w < workers; w++) {
        const s = first + w * total;
        for (let i = 0; i < total; i++) mean[i] += slots[s + i];
      }
      for (let i = 0; i < total; i++) mean[i] /= workers;
      o = 0;
      const avg = variables.map((v) => {
        const t = tf.tensor(mean.subarray(o, o + v.size), v.shape);
        o += v.size;
        return { name: v.name, tensor: t };
      });
      optimizer.applyGradients(avg);
      tf.dispose(avg.map((a) => a.tensor));
      step++;
    }
  };

  parentPort.on('message', (msg) => {
    if (msg.type === 'epoch') {
      epoch(msg.samples);
      parentPort.postMessage({ type: 'done' });
    } else if (msg.type === 'weights') {
      const out = new Float32Array(total);
      let o = 0;
      for (const v of variables) {
        out.set(v.dataSync(), o);
        o += v.size;
      }
      parentPort.postMessage({ type: 'weights', weights: out });
    }
  });
  parentPort.postMessage({ type: 'ready', total });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
