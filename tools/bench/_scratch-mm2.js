const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  const time = (label, f, flops, n = 5) => { for (let i=0;i<1;i++) { const r = f(); r.dataSync(); r.dispose(); }; const t=performance.now(); for (let i=0;i<n;i++) { const r = f(); r.dataSync(); r.dispose(); }; const ms=(performance.now()-t)/n; console.log(label, ms.toFixed(1), 'ms', (flops/ms/1e6).toFixed(2), 'GFLOP/s'); };
  for (const [m,k,n] of [[64,8192,256],[8192,64,256],[1024,64,256],[256,64,256],[256,256,256],[8192,256,64],[64,256,8192],[4096,288,64]]) {
    const a = tf.randomNormal([m,k]), b = tf.randomNormal([k,n]);
    time(`${m}x${k} * ${k}x${n}`, () => tf.matMul(a,b), 2*m*k*n);
    const b2 = tf.randomNormal([n,k]);
    time(`  transposeB`, () => tf.matMul(a,b2,false,true), 2*m*k*n);
  }
})();
