const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  const time = (label, f, n = 10) => { for (let i=0;i<2;i++) { const r = f(); r.dataSync(); r.dispose(); }; const t=performance.now(); for (let i=0;i<n;i++) { const r = f(); r.dataSync(); r.dispose(); }; console.log(label, ((performance.now()-t)/n).toFixed(1), 'ms'); };
  const a = tf.randomNormal([64, 8192]), w = tf.randomNormal([8192, 256]), dy = tf.randomNormal([64, 256]);
  time('fwd a*w', () => tf.matMul(a, w));
  time('dW a^T*dy (transposeA)', () => tf.matMul(a, dy, true, false));
  time('dW explicit transpose', () => tf.tidy(() => tf.matMul(tf.transpose(a), dy)));
  time('dx dy*w^T (transposeB)', () => tf.matMul(dy, w, false, true));
  time('dx explicit', () => tf.tidy(() => tf.matMul(dy, tf.transpose(w))));
})();
