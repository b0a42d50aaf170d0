// The two CNNs of shared/notes/backends.md, for tfjs; tools/bench/training-backends-torch.py builds
// the same layers for PyTorch.
const tf = require('@tensorflow/tfjs');

exports.MODELS = {
  cnn28: {
    batch: 32,
    inputShape: [28, 28, 1],
    classes: 10,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 64, activation: 'relu' }),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
  },
  cnn64: {
    batch: 64,
    inputShape: [64, 64, 1],
    classes: 6,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [64, 64, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 128, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 256, activation: 'relu' }),
          tf.layers.dense({ units: 6, activation: 'softmax' }),
        ],
      }),
  },
};

/**
 * A dataset of n random samples for `spec`, shaped like @fedbiomed/datasets' Dataset as far as
 * trainLocal reads it: the benchmarks measure training, not data loading.
 */
exports.randomDataset = (spec, n) => {
  const width = spec.inputShape.reduce((a, b) => a * b, 1);
  const features = new Float32Array(n * width).map(() => Math.random());
  const labels = Float32Array.from({ length: n }, () => Math.floor(Math.random() * spec.classes));
  return {
    size: n,
    metadata: { featureShape: spec.inputShape, numClasses: spec.classes },
    *batches({ indices, batchSize }) {
      for (let start = 0; start < indices.length; start += batchSize) {
        const rows = indices.slice(start, start + batchSize);
        const x = new Float32Array(rows.length * width);
        rows.forEach((r, k) => x.set(features.subarray(r * width, (r + 1) * width), k * width));
        yield { xs: tf.tensor(x, [rows.length, ...spec.inputShape]), ys: tf.tensor2d(Float32Array.from(rows, (r) => labels[r]), [rows.length, 1]) };
      }
    },
  };
};
