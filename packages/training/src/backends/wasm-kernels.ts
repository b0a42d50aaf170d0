/**
 * Gradient kernels for the tfjs `wasm` backend, written as compositions of the backend's own fast
 * kernels so that every heavy product runs in XNNPACK:
 * - `BatchMatMul` with a transposed operand: tfjs-wasm sends those to a scalar C++ loop (about
 *   1 GFLOP/s); here the smaller of the operands or the result is transposed explicitly and the
 *   product runs through XNNPACK's fully-connected path (10 to 25 GFLOP/s).
 * - `Conv2DBackpropFilter` (missing from tfjs-wasm): for few input channels, im2col by slices of the
 *   transposed input and one XNNPACK product; otherwise a convolution of the transposed input with
 *   the transposed dy (dilation = stride), which XNNPACK's convolution runs.
 * - `Conv2DBackpropInput` (stride 1): a convolution of dy with the flipped, transposed filter, which
 *   the XNNPACK convolution runs instead of tfjs-wasm's direct loop.
 * - `MaxPoolGrad` and `Sum` over leading axes (the bias gradient): tfjs-wasm runs them through
 *   generic element-by-element code or a full transpose; here they are single passes over the heap.
 */
import * as tf from '@tensorflow/tfjs';

/** The wasm backend methods these kernels use (a structural view of tfjs-wasm's `BackendWasm`). */
interface WasmBackend extends tf.KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view on the wasm heap; taken after the last allocation, since growing the heap detaches it. */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

type Attrs = Record<string, unknown>;
type Inputs = Record<string, tf.TensorInfo> | tf.TensorInfo[];

const BACKEND = 'wasm';
/** Above this many im2col rows (kh·kw·Ci), the convolution form of dW is faster (measured on cnn64). */
const IM2COL_MAX_ROWS = 64;
const MARK = Symbol.for('fedbiomed.training.wasmKernel');

/** Kernel names this module replaces or adds on the wasm backend. */
export const WASM_KERNEL_NAMES = ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum'] as const;

/**
 * Registers the kernels on the `wasm` backend (idempotent). Call after `@tensorflow/tfjs-backend-wasm`
 * is imported; before or after the backend is initialised.
 */
export function registerWasmKernels(): void {
  const originals = new Map<string, tf.KernelConfig>();
  for (const name of ['BatchMatMul', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'Conv2D', 'Transpose', 'Reshape', 'Slice', 'StridedSlice', 'Concat', 'PadV2', 'Reverse']) {
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
    MaxPoolGrad: (inputs, backend, attrs) => ops.maxPoolGrad(backend, inputs as Record<string, tf.TensorInfo>, attrs),
    Sum: (inputs, backend, attrs) => ops.sum(backend, inputs as Record<string, tf.TensorInfo>, attrs),
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
      if (kh * kw * ci > IM2COL_MAX_ROWS) {
        // dW[i, j, c, o] = Σ_{n,y,x} xpad[n, y·s + i, x·s + j, c] · dy[n, y, x, o]: a convolution of
        // xᵀ [Ci, H, W, N] with dyᵀ [Ho, Wo, N, Co] as filter, dilated by the stride.
        const xt = keep(scratch, this.transpose(backend, x, [3, 1, 2, 0]));
        const dyt = keep(scratch, this.transpose(backend, dy, [1, 2, 0, 3]));
        const conv = keep(
          scratch,
          this.run('Conv2D', backend, { x: xt, filter: dyt }, {
            strides: [1, 1],
            pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
            dataFormat: 'NHWC',
            dilations: [sh, sw],
          }),
        );
        const cropped =
          conv.shape[1] === kh && conv.shape[2] === kw
            ? conv
            : keep(scratch, this.run('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
        return this.transpose(backend, cropped, [1, 2, 0, 3]);
      }
      const padded =
        top || bottom || left || right
          ? keep(scratch, this.run('PadV2', backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }))
          : x;
      // [Ci, N, Hp, Wp]: each filter tap is a strided window that reshapes to [Ci, N·Ho·Wo]; stacked
      // they form the im2col matrix [kh·kw·Ci, N·Ho·Wo], and one product with dy gives dW.
      const channelsFirst = keep(scratch, this.transpose(backend, padded, [3, 0, 1, 2]));
      const windows: tf.TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          windows.push(keep(scratch, this.window(backend, channelsFirst, [ci, batch, oh, ow], i, j, sh, sw)));
        }
      }
      const cols = windows.length === 1 ? windows[0]! : keep(scratch, this.run('Concat', backend, windows, { axis: 0 }));
      const rows = keep(scratch, this.reshape(backend, cols, [1, kh * kw * ci, batch * oh * ow]));
      const grad = keep(scratch, this.reshape(backend, dy, [1, batch * oh * ow, co]));
      const product = keep(scratch, this.matMul(backend, rows, grad));
      return this.reshape(backend, product, filterShape);
    } finally {
      free(backend, scratch);
    }
  }

  maxPoolGrad(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const dy = inputs['dy']!;
    const x = inputs['input']!;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs['filterSize'] as [number, number],
      attrs['strides'] as [number, number],
      1,
      attrs['pad'] as 'same' | 'valid' | number,
      attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    );
    const out = backend.makeOutput([...x.shape], 'float32');
    const dx = backend.typedArrayFromHeap(out);
    const xs = backend.typedArrayFromHeap(x);
    const dys = backend.typedArrayFromHeap(dy);
    dx.fill(0);
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const { top, left } = info.padInfo;
    const best = new Float32Array(c);
    const where = new Int32Array(c);
    // The first maximum of each window takes the gradient, as in tfjs' cpu backend.
    for (let b = 0; b < batchSize; b++) {
      for (let yr = 0; yr < outHeight; yr++) {
        for (let yc = 0; yc < outWidth; yc++) {
          best.fill(Number.NEGATIVE_INFINITY);
          where.fill(-1);
          for (let wr = 0; wr < filterHeight; wr++) {
            const xr = yr * strideHeight - top + wr;
            if (xr < 0 || xr >= inHeight) continue;
            for (let wc = 0; wc < filterWidth; wc++) {
              const xc = yc * strideWidth - left + wc;
              if (xc < 0 || xc >= inWidth) continue;
              const base = ((b * inHeight + xr) * inWidth + xc) * c;
              for (let k = 0; k < c; k++) {
                const v = xs[base + k]!;
                if (v > best[k]!) {
                  best[k] = v;
                  where[k] = base + k;
                }
              }
            }
          }
          const dyBase = ((b * outHeight + yr) * outWidth + yc) * c;
          for (let k = 0; k < c; k++) if (where[k]! >= 0) dx[where[k]!] = dx[where[k]!]! + dys[dyBase + k]!;
        }
      }
    }
    return out;
  }

  sum(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const x = inputs['x']!;
    const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return this.run('Sum', backend, inputs, attrs);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(axes.length);
    const width = rest.reduce((a, b) => a * b, 1);
    const shape = attrs['keepDims'] === true ? [...axes.map(() => 1), ...rest] : rest;
    const out = backend.makeOutput(shape, 'float32');
    const sums = new Float64Array(width);
    const xs = backend.typedArrayFromHeap(x);
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let k = 0; k < width; k++) sums[k] = sums[k]! + xs[base + k]!;
    }
    backend.typedArrayFromHeap(out).set(sums);
    return out;
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

  /** Window (i, j) of every output position: `[Ci, N, Ho, Wo]` from `[Ci, N, Hp, Wp]`. */
  private window(backend: WasmBackend, x: tf.TensorInfo, size: number[], i: number, j: number, sh: number, sw: number): tf.TensorInfo {
    const [, , oh, ow] = size as [number, number, number, number];
    if (sh === 1 && sw === 1) return this.run('Slice', backend, { x }, { begin: [0, 0, i, j], size });
    return this.run('StridedSlice', backend, { x }, {
      begin: [0, 0, i, j],
      end: [size[0], size[1], i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1],
      strides: [1, 1, sh, sw],
      beginMask: 0,
      endMask: 0,
      ellipsisMask: 0,
      newAxisMask: 0,
      shrinkAxisMask: 0,
    });
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
