const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  console.log('simd', await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), 'threads', await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  const a = tf.randomNormal([512, 512]), b = tf.randomNormal([512, 512]);
  for (let i=0;i<3;i++) tf.matMul(a,b).dispose();
  let t=performance.now(); const n=20; for (let i=0;i<n;i++){ const c=tf.matMul(a,b); c.dataSync(); c.dispose(); }
  const dt=(performance.now()-t)/n; console.log('matmul ms', dt, 'GFLOP/s', 2*512**3/dt/1e6);
  const x = tf.randomNormal([64,64,64,32]), f = tf.randomNormal([3,3,32,64]);
  t=performance.now(); for (let i=0;i<5;i++){ const c=tf.conv2d(x,f,1,'same'); c.dataSync(); c.dispose(); }
  console.log('conv ms', (performance.now()-t)/5);
})();
