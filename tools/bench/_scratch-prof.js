const tf = require('@tensorflow/tfjs');
const { selectBackend } = require('../../packages/training/dist/index.js');
const which = process.argv[2] || 'cnn64';
(async () => {
  const sel = await selectBackend({ allow: (process.env.BK || 'wasm').split(',') });
  console.log(sel.reason);
  const cnn64 = () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [64,64,1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 128, kernelSize: 3, padding: 'same', activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: 256, activation: 'relu' }), tf.layers.dense({ units: 6, activation: 'softmax' })]});
  const cnn28 = () => tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28,28,1], filters: 16, kernelSize: 3, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(), tf.layers.dense({ units: 64, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })]});
  const [model, batch, shape, classes] = which === 'cnn64' ? [cnn64(), 64, [64,64,1], 6] : [cnn28(), 32, [28,28,1], 10];
  console.log('params', model.countParams());
  const opt = tf.train.sgd(0.01);
  const x = tf.randomNormal([batch, ...shape]); const y = tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32'), classes);
  const vars = model.trainableWeights.map(w => w.read());
  const step = () => { const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), vars); opt.applyGradients(grads); tf.dispose(grads); return value; };
  for (let i = 0; i < 2; i++) (await step().data());
  const prof = await tf.profile(() => { const v = step(); return v; });
  const byKernel = {};
  for (const k of prof.kernels) byKernel[k.name] = (byKernel[k.name] || 0) + k.kernelTimeMs;
  console.log(Object.entries(byKernel).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
  const n = which === 'cnn64' ? 5 : 30;
  const t = performance.now(); let last; for (let i = 0; i < n; i++) { last?.dispose(); last = step(); } await last.data();
  const ms = (performance.now() - t) / n; console.log(which, 'step ms', ms.toFixed(1), 'samples/s', (batch * 1000 / ms).toFixed(1));
})();
