/**
 * Gradient kernels for the tfjs `wasm` backend, written as compositions of the backend's own fast
 * kernels so that every heavy product runs in XNNPACK:
 * - `BatchMatMul` with a transposed operand: tfjs-wasm sends those to a scalar C++ loop (about
 *   1 GFLOP/s); here the smaller of the operands or the result is transposed explicitly and the
 *   product runs through XNNPACK's fully-connected path (10 to 25 GFLOP/s).
 * - `Conv2DBackpropFilter` (missing from tfjs-wasm): im2col by strided slices of the transposed input,
 *   one XNNPACK product per filter tap.
 * - `Conv2DBackpropInput` (stride 1): a convolution of dy with the flipped, transposed filter, which
 *   the XNNPACK convolution runs instead of tfjs-wasm's direct loop.
 */
import * as tf from '@tensorflow/tfjs';

/** The wasm backend methods these kernels use (a structural view of tfjs-wasm's `BackendWasm`). */
interface WasmBackend extends tf.KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

type Attrs = Record<string, unknown>;
type Inputs = Record<string, tf.TensorInfo> | tf.TensorInfo[];

const BACKEND = 'wasm';
const MARK = Symbol.for('fedbiomed.training.wasmKernel');

/** Kernel names this module replaces or adds on the wasm backend. */
export const WASM_KERNEL_NAMES = ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;

/**
 * Registers the kernels on the `wasm` backend (idempotent). Call after `@tensorflow/tfjs-backend-wasm`
 * is imported; before or after the backend is initialised.
 */
export function registerWasmKernels(): void {
  const originals = new Map<string, tf.KernelConfig>();
  for (const name of ['BatchMatMul', 'Conv2DBackpropInput', 'Conv2D', 'Transpose', 'Reshape', 'Slice', 'StridedSlice', 'Concat', 'PadV2', 'Reverse']) {
    const config = tf.getKernel(name, BACKEND);
    if (!config) throw new Error(`the wasm backend has no ${name} kernel; is @tensorflow/tfjs-backend-wasm imported?`);
    if ((config.kernelFunc as unknown as Record<symbol, unknown>)[MARK]) return;
    originals.set(name, config);
  }
  const ops = new KernelOps(originals);
  const kernels: Record<(typeof WASM_KERNEL_NAMES)[number], (inputs: Inputs, backend: WasmBackend, attrs: Attrs) => tf.TensorInfo> = {
    BatchMatMul: (inputs, backend, attrs) => ops.batchMatMul(backend, inputs as Record<string, tf.TensorInfo>, attrs),
    Conv2DBackpropFilter: (inputs, backend, attrs) => ops.conv2dBackpropFilter(backend, inputs as Record<string, tf.TensorInfo>, attrs),
    Conv2DBackpropInput: (inputs, backend, attrs) => ops.conv2dBackpropInput(backend, inputs as Record<string, tf.TensorInfo>, attrs),
  };
  for (const [kernelName, fn] of Object.entries(kernels)) {
    const kernelFunc = (({ inputs, backend, attrs }: { inputs: Inputs; backend: unknown; attrs?: Attrs }) =>
      fn(inputs, backend as WasmBackend, attrs ?? {})) as unknown as tf.KernelFunc;
    (kernelFunc as unknown as Record<symbol, unknown>)[MARK] = true;
    const original = originals.get(kernelName) ?? tf.getKernel(kernelName, BACKEND);
    if (original) tf.unregisterKernel(kernelName, BACKEND);
    // The original's setup (its C++ bindings) must still run when the backend initialises.
    tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc, ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}) });
  }
}

/** The compositions, over the original wasm kernels. */
class KernelOps {
  constructor(private readonly originals: ReadonlyMap<string, tf.KernelConfig>) {}

  batchMatMul(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const a = inputs['a']!;
    const b = inputs['b']!;
    const transposeA = attrs['transposeA'] === true;
    const transposeB = attrs['transposeB'] === true;
    if ((!transposeA && !transposeB) || a.shape[0] !== 1 || b.shape[0] !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return this.run('BatchMatMul', backend, inputs, attrs);
    }
    const size = (t: tf.TensorInfo) => t.shape.reduce((x, y) => x * y, 1);
    const m = transposeA ? a.shape[2]! : a.shape[1]!;
    const n = transposeB ? b.shape[1]! : b.shape[2]!;
    // Either transpose the transposed operands, or compute (op(B)ᵀ·op(A)ᵀ)ᵀ; pick the fewer copies.
    const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0);
    const swapped = (transposeB ? 0 : size(b)) + (transposeA ? 0 : size(a)) + m * n;
    const scratch: tf.TensorInfo[] = [];
    try {
      if (direct <= swapped) {
        const left = transposeA ? keep(scratch, this.transpose(backend, a, [0, 2, 1])) : a;
        const right = transposeB ? keep(scratch, this.transpose(backend, b, [0, 2, 1])) : b;
        return this.matMul(backend, left, right);
      }
      const left = transposeB ? b : keep(scratch, this.transpose(backend, b, [0, 2, 1]));
      const right = transposeA ? a : keep(scratch, this.transpose(backend, a, [0, 2, 1]));
      const product = keep(scratch, this.matMul(backend, left, right));
      return this.transpose(backend, product, [0, 2, 1]);
    } finally {
      free(backend, scratch);
    }
  }

  conv2dBackpropFilter(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const x = inputs['x']!;
    const dy = inputs['dy']!;
    const filterShape = attrs['filterShape'] as [number, number, number, number];
    const info = convInfo(x.shape as [number, number, number, number], filterShape, attrs);
    const [kh, kw, ci, co] = filterShape;
    const [batch] = x.shape as [number];
    const { top, bottom, left, right } = info.padInfo;
    const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
    const scratch: tf.TensorInfo[] = [];
    try {
      const padded =
        top || bottom || left || right
          ? keep(scratch, this.run('PadV2', backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }))
          : x;
      // [Ci, N, Hp, Wp]: each filter tap is then a strided window that reshapes to [Ci, N·Ho·Wo].
      const channelsFirst = keep(scratch, this.transpose(backend, padded, [3, 0, 1, 2]));
      const grad = keep(scratch, this.reshape(backend, dy, [1, batch * oh * ow, co]));
      const parts: tf.TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const window =
            sh === 1 && sw === 1
              ? this.run('Slice', backend, { x: channelsFirst }, { begin: [0, 0, i, j], size: [ci, batch, oh, ow] })
              : this.run(
                  'StridedSlice',
                  backend,
                  { x: channelsFirst },
                  {
                    begin: [0, 0, i, j],
                    end: [ci, batch, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1],
                    strides: [1, 1, sh, sw],
                    beginMask: 0,
                    endMask: 0,
                    ellipsisMask: 0,
                    newAxisMask: 0,
                    shrinkAxisMask: 0,
                  },
                );
          keep(scratch, window);
          const rows = keep(scratch, this.reshape(backend, window, [1, ci, batch * oh * ow]));
          parts.push(keep(scratch, this.matMul(backend, rows, grad)));
        }
      }
      const stacked = parts.length === 1 ? parts[0]! : keep(scratch, this.run('Concat', backend, parts, { axis: 1 }));
      return this.reshape(backend, stacked, filterShape);
    } finally {
      free(backend, scratch);
    }
  }

  conv2dBackpropInput(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const dy = inputs['dy']!;
    const filter = inputs['filter']!;
    const inputShape = attrs['inputShape'] as [number, number, number, number];
    const info = convInfo(inputShape, filter.shape as [number, number, number, number], attrs);
    const [kh, kw] = filter.shape as [number, number];
    const { top, bottom, left, right } = info.padInfo;
    const pads = [kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right];
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || pads.some((p) => p < 0)) {
      return this.run('Conv2DBackpropInput', backend, inputs, attrs);
    }
    const scratch: tf.TensorInfo[] = [];
    try {
      const flipped = keep(scratch, this.run('Reverse', backend, { x: filter }, { dims: [0, 1] }));
      const swapped = keep(scratch, this.transpose(backend, flipped, [0, 1, 3, 2]));
      return this.run(
        'Conv2D',
        backend,
        { x: dy, filter: swapped },
        {
          strides: [1, 1],
          pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
          dataFormat: 'NHWC',
          dilations: [1, 1],
        },
      );
    } finally {
      free(backend, scratch);
    }
  }

  private matMul(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    return this.run('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: false });
  }

  private transpose(backend: WasmBackend, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', backend, { x }, { perm });
  }

  private reshape(backend: WasmBackend, x: tf.TensorInfo, shape: readonly number[]): tf.TensorInfo {
    return this.run('Reshape', backend, { x }, { shape: [...shape] });
  }

  private run(name: string, backend: WasmBackend, inputs: Inputs, attrs: Attrs): tf.TensorInfo {
    const config = this.originals.get(name)!;
    return config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  }
}

function convInfo(inShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: Attrs) {
  if (attrs['dataFormat'] !== undefined && attrs['dataFormat'] !== 'NHWC') {
    throw new Error(`wasm gradient kernels support dataFormat NHWC only, got ${String(attrs['dataFormat'])}`);
  }
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    attrs['strides'] as [number, number],
    1,
    attrs['pad'] as 'same' | 'valid' | number,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

function keep(scratch: tf.TensorInfo[], info: tf.TensorInfo): tf.TensorInfo {
  scratch.push(info);
  return info;
}

function free(backend: WasmBackend, infos: readonly tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
