import * as tf from '@tensorflow/tfjs';

import { selectBackend } from './select-backend';

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
});
