import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

import { selectBackend } from './select-backend';

/** tfjs' banner on the first use of its cpu backend in Node ("...install our node backend..."). */
const TFJS_NODE_BANNER = /running TensorFlow\.js in Node\.js/;

describe('selectBackend', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('takes wasm when tfjs-node is absent and says why tfjs-node was not taken', async () => {
    const selection = await selectBackend();
    expect(selection.kind).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.attempts[0]).toMatchObject({ kind: 'tensorflow', ok: false });
    expect(selection.attempts[0]!.reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    expect(selection.reason).toMatch(/^wasm \(WebAssembly SIMD, 1 thread, XNNPACK and SIMD gradient kernels\); not taken: tensorflow: /);
  });

  it('falls back from the GPU candidates with a reason for each (no GPU on this machine)', async () => {
    const selection = await selectBackend({ preferGpu: true, allow: ['tensorflow-gpu', 'webgpu', 'cpu'] });
    expect(selection.kind).toBe('cpu');
    expect(selection.attempts.map((a) => [a.kind, a.ok])).toEqual([
      ['tensorflow-gpu', false],
      ['webgpu', false],
      ['cpu', true],
    ]);
    expect(selection.attempts[1]!.reason.length).toBeGreaterThan(10);
  });

  it('refuses with BACKEND_UNAVAILABLE when no candidate can start', async () => {
    await expect(selectBackend({ preferGpu: true, allow: ['tensorflow-gpu'] })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringMatching(/tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed/),
    });
  });

  it('leaves out tfjs\' "install our node backend" banner in a script that selects a backend (a real process)', () => {
    // The built package, as a researcher's script or the node runtime loads it; cpu is the backend
    // that prints the banner on its first tensor.
    const script = `
      const tf = require('@tensorflow/tfjs');
      require('@fedbiomed/training').selectBackend({ allow: ['cpu'] }).then((selection) => {
        tf.tensor([1, 2, 3]).dataSync();
        console.log('backend ' + selection.kind);
      });`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('backend cpu');
    expect(run.stdout + run.stderr).not.toMatch(TFJS_NODE_BANNER);
  });

  it('leaves the banner out of a script that builds its model with tfjs before any call into @fedbiomed/training (a real process)', () => {
    // As the README's researcher script does: imports first, then tf.sequential on the default backend.
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { buildPlan } from '@fedbiomed/training';
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] });
      console.log('plan ' + buildPlan(model, { name: 'p', loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.1 } }).plan.sha256.length);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('plan 64');
    expect(run.stdout + run.stderr).not.toMatch(TFJS_NODE_BANNER);
  });
});

