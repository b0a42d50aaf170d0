const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  const time = (label, f, n = 10) => { { const r = f(); r.dataSync(); r.dispose(); } const t=performance.now(); for (let i=0;i<n;i++) { const r = f(); r.dataSync(); r.dispose(); } console.log(label, ((performance.now()-t)/n).toFixed(2), 'ms'); };
  const w = tf.randomNormal([8192,256]); const a = tf.randomNormal([64,8192]);
  time('transpose 8192x256', () => tf.transpose(w));
  time('transpose 64x8192', () => tf.transpose(a));
  const x = tf.randomNormal([64,32,32,32]);
  time('transpose x [3,0,1,2]', () => tf.transpose(x, [3,0,1,2]));
  time('copy via add0', () => tf.add(w, 0));
  await tf.setBackend('cpu');
  const w2 = tf.randomNormal([8192,256]);
  time('cpu transpose 8192x256', () => tf.transpose(w2));
})();
