import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmKernels, wasmSimdKernelsActive } from './wasm-kernels';


/** Runs `fn` on a backend and returns plain values (inputs are recreated there from `seeds`). */
async function on(backend: string, fn: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = fn();
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - actual[i]!) / Math.max(1, Math.abs(v)))));
  expect(worst).toBeLessThan(1e-4);
}

const random = (shape: number[], seed: number) => () => tf.randomUniform(shape, -1, 1, 'float32', seed);

describe('wasm gradient kernels match the cpu backend', () => {
  beforeAll(async () => {
    registerWasmKernels();
    registerWasmKernels();
    await tf.setBackend('wasm');
  });
  afterAll(() => tf.setBackend('cpu'));

  const convCases: { x: number[]; f: number[]; strides: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
    { x: [2, 9, 7, 3], f: [3, 3, 3, 5], strides: [1, 1], pad: 'valid' },
    { x: [3, 10, 10, 2], f: [3, 3, 2, 4], strides: [2, 2], pad: 'same' },
    { x: [1, 11, 8, 4], f: [5, 3, 4, 2], strides: [2, 1], pad: 'valid' },
    { x: [2, 8, 8, 1], f: [1, 1, 1, 3], strides: [1, 1], pad: 'valid' },
    // Direct kernel, 16 output channels at a time plus a remainder, padding on every side.
    { x: [2, 10, 9, 1], f: [3, 3, 1, 16], strides: [1, 1], pad: 'same' },
    { x: [3, 12, 11, 2], f: [5, 5, 2, 20], strides: [2, 2], pad: 'same' },
    { x: [2, 13, 13, 3], f: [3, 3, 3, 35], strides: [3, 2], pad: 'valid' },
    // kh·kw·Ci > 64: the convolution form of dW.
    { x: [2, 9, 9, 8], f: [3, 3, 8, 4], strides: [1, 1], pad: 'same' },
    { x: [2, 11, 10, 8], f: [3, 3, 8, 3], strides: [2, 2], pad: 'same' },
    { x: [2, 11, 10, 9], f: [3, 2, 9, 3], strides: [2, 3], pad: 'valid' },
  ];

  it.each(convCases)('Conv2DBackpropFilter and Conv2DBackpropInput for x $x, filter $f, strides $strides, pad $pad', async ({ x, f, strides, pad }) => {
    const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], strides, 1, pad);
    const dyShape = info.outShape;
    const dw = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: random(x, 1)(), dy: random(dyShape, 2)() }, { strides, pad, dataFormat: 'NHWC', filterShape: f }) as tf.Tensor;
    const dx = () =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy: random(dyShape, 2)(), filter: random(f, 3)() }, { strides, pad, dataFormat: 'NHWC', inputShape: x }) as tf.Tensor;
    expectClose(await on('wasm', () => tf.tidy(dw)), await on('cpu', () => tf.tidy(dw)));
    expectClose(await on('wasm', () => tf.tidy(dx)), await on('cpu', () => tf.tidy(dx)));
  });

  it.each([
    { x: [2, 8, 8, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { x: [1, 9, 7, 2], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
    { x: [2, 6, 6, 4], filterSize: [3, 2], strides: [1, 1], pad: 'valid' },
    // Vectorised channels (8) plus a scalar remainder (3), windows overlapping and padded.
    { x: [2, 9, 8, 11], filterSize: [3, 3], strides: [2, 1], pad: 'same' },
  ] as const)('MaxPoolGrad for x $x, window $filterSize, strides $strides, pad $pad', async ({ x, filterSize, strides, pad }) => {
    const grad = () =>
      tf.tidy(() => {
        // Rounded inputs make ties, so the first-maximum rule is checked too.
        const input = tf.round(tf.mul(random([...x], 8)(), 3)) as tf.Tensor4D;
        const output = tf.maxPool(input, [...filterSize], [...strides], pad);
        const dy = random(output.shape, 9)();
        return tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, { filterSize: [...filterSize], strides: [...strides], pad }) as tf.Tensor;
      });
    expectClose(await on('wasm', grad), await on('cpu', grad));
  });

  it('sums 100,000 rows of a bias gradient to within float32 precision', async () => {
    const sum = () => tf.tidy(() => tf.sum(tf.add(random([40, 50, 50, 6], 11)(), 0.5), [0, 1, 2]));
    expectClose(await on('wasm', sum), await on('cpu', sum));
  });

  it('shares memory for Identity and same-dtype Cast, kept alive while any sharer lives', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1.5, -2.5, 3.25]);
    const dataIds = () => tf.backend().numDataIds();
    const before = dataIds();
    const clone = tf.clone(x);
    const same = tf.cast(x, 'float32');
    expect(dataIds()).toBe(before);
    const ints = tf.cast(x, 'int32');
    expect(dataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(await clone.data())).toEqual([1.5, -2.5, 3.25]);
    clone.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2.5, 3.25]);
    expect(Array.from(await ints.data())).toEqual([1, -2, 3]);
    tf.dispose([same, ints]);
    expect(dataIds()).toBe(before - 1);
  });

  it('runs this package\'s SIMD kernels on the backend heap, not the fallbacks', () => {
    expect(wasmSimdKernelsActive()).toBe(true);
  });

  it.each([
    { axis: [0, 1, 2], keepDims: false },
    { axis: [1, 0], keepDims: true },
    { axis: [1, 2], keepDims: false },
    { axis: [0, 1, 2, 3], keepDims: false },
  ])('Sum over axes $axis (keepDims $keepDims)', async ({ axis, keepDims }) => {
    const sum = () => tf.tidy(() => tf.sum(random([3, 5, 4, 6], 10)(), axis, keepDims));
    const [wasm, cpu] = [await on('wasm', sum), await on('cpu', sum)];
    expectClose(wasm, cpu);
    await tf.setBackend('wasm');
    expect(sum().shape).toEqual(keepDims ? [1, 1, 4, 6] : axis.length === 4 ? [] : axis[0] === 0 ? [6] : [3, 6]);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('BatchMatMul transposeA=%s transposeB=%s, both orientations of the cost choice', async (transposeA, transposeB) => {
    for (const [m, k, n] of [
      [5, 7, 300],
      [300, 7, 5],
      [33, 64, 17],
    ] as const) {
      const a = random(transposeA ? [1, k, m] : [1, m, k], 4);
      const b = random(transposeB ? [1, n, k] : [1, k, n], 5);
      const mm = () => tf.tidy(() => tf.matMul(a(), b(), transposeA, transposeB));
      expectClose(await on('wasm', mm), await on('cpu', mm));
    }
  });

  it('gives the same gradients as cpu through a small CNN, and leaks no tensor', async () => {
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        ],
      });
      const x = random([4, 12, 12, 2], 7)();
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      const before = tf.memory().numTensors;
      const { value, grads: g } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
      const values = await Promise.all(Object.values(g).map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(g);
      value.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
      model.dispose();
      return values;
    };
    const wasm = await grads('wasm');
    const cpu = await grads('cpu');
    wasm.forEach((g, i) => expectClose(g, cpu[i]!));
  });
});
