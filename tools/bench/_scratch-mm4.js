const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  const x = tf.randomNormal([8192,256]);
  for (const mode of ['plain', 'tidy', 'plain', 'nodata']) {
    const t=performance.now();
    for (let i=0;i<5;i++) {
      if (mode==='plain') { const y = tf.add(x,x); y.dataSync(); y.dispose(); }
      else if (mode==='nodata') { const y = tf.add(x,x); y.dispose(); }
      else tf.tidy(() => tf.add(x,x).dataSync());
    }
    console.log(mode, ((performance.now()-t)/5).toFixed(1));
  }
  let t=performance.now(); const d = x.dataSync(); console.log('x.dataSync', performance.now()-t, d.length);
  t=performance.now(); const y = tf.add(x,x); console.log('add only', performance.now()-t); t=performance.now(); y.dataSync(); console.log('dataSync', performance.now()-t);
})();
