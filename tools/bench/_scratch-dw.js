const tf = require('@tensorflow/tfjs');
const { selectBackend } = require('../../packages/training/dist/index.js');
(async () => {
  await selectBackend({ allow: ['wasm'] });
  const time = (label, f, n = 3) => { { const r = f(); r.dataSync(); r.dispose(); } const t=performance.now(); for (let i=0;i<n;i++) { const r = f(); r.dataSync(); r.dispose(); } console.log(label, ((performance.now()-t)/n).toFixed(1), 'ms'); };
  for (const [N,H,Ci,Co] of [[64,64,1,32],[64,32,32,64],[64,16,64,128]]) {
    const x = tf.randomNormal([N,H,H,Ci]), dy = tf.randomNormal([N,H,H,Co]);
    console.log(`layer N${N} H${H} Ci${Ci} Co${Co}`);
    time(' ours (per-tap im2col)', () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides:[1,1], pad:'same', dataFormat:'NHWC', filterShape:[3,3,Ci,Co]}));
    time(' dilated conv form', () => tf.tidy(() => tf.conv2d(tf.transpose(x,[3,1,2,0]), tf.transpose(dy,[1,2,0,3]), 1, [[0,0],[1,1],[1,1],[0,0]]).transpose([1,2,0,3])));
    time(' concat im2col', () => tf.tidy(() => { const xp = tf.pad(x, [[0,0],[1,1],[1,1],[0,0]]).transpose([3,0,1,2]); const parts=[]; for (let i=0;i<3;i++) for (let j=0;j<3;j++) parts.push(tf.slice(xp,[0,0,i,j],[Ci,N,H,H])); const cols = tf.concat(parts,0).reshape([9*Ci, N*H*H]); return tf.matMul(cols, dy.reshape([N*H*H, Co])).reshape([3,3,Ci,Co]); }));
    time(' conv fwd (reference)', () => tf.conv2d(x, tf.randomNormal([3,3,Ci,Co]), 1, 'same'));
    time(' dx (ours)', () => tf.engine().runKernel('Conv2DBackpropInput', {dy, filter: tf.randomNormal([3,3,Ci,Co])}, {strides:[1,1], pad:'same', dataFormat:'NHWC', inputShape:[N,H,H,Ci]}));
    time(' maxpoolgrad', () => { const y = tf.maxPool(dy, 2, 2, 'valid'); return tf.engine().runKernel('MaxPoolGrad', {dy: y, input: dy, output: y}, {filterSize: 2, strides: 2, pad: 'valid'}); }, 1);
    time(' sum over NHW', () => tf.sum(dy, [0,1,2]));
  }
})();
