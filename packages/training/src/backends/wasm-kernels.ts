/**
 * Gradient kernels for the tfjs `wasm` backend. Heavy products run in tfjs-wasm's XNNPACK kernels;
 * what XNNPACK has no form for runs in this package's SIMD kernels (`assembly/kernels.ts`, compiled
 * to a module that shares the backend's heap, so tensors are never copied in or out):
 * - `BatchMatMul` with a transposed operand: tfjs-wasm sends those to a scalar C++ loop (about
 *   1 GFLOP/s); here the smaller of the operands or the result is transposed explicitly and the
 *   product runs through XNNPACK's fully-connected path (10 to 25 GFLOP/s). Matrices (rank 2, as
 *   tf.matMul passes them) take the same path.
 * - `Conv2DBackpropFilter` (missing from tfjs-wasm): for few filter rows (first layers), a direct
 *   SIMD kernel; otherwise a convolution of the transposed input with the transposed dy
 *   (dilation = stride), which XNNPACK's convolution runs.
 * - `Conv2DBackpropInput` (stride 1): a convolution of dy with the flipped, transposed filter, which
 *   the XNNPACK convolution runs instead of tfjs-wasm's direct loop.
 * - `MaxPoolGrad` and `Sum` over leading axes (the bias gradient): tfjs-wasm runs them through
 *   generic element-by-element code or a full transpose; here they are SIMD passes over the heap.
 * - `Identity` and same-dtype `Cast`: shared, reference-counted memory instead of a copy.
 */
import * as tf from '@tensorflow/tfjs';

import { isWasmMemory, simdKernelsFor, type SimdKernels } from './simd-kernels';

/** The wasm backend methods these kernels use (a structural view of tfjs-wasm's `BackendWasm`). */
interface WasmBackend extends tf.KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view on the wasm heap; taken after the last allocation, since growing the heap detaches it. */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  /** The Emscripten module; `asm` holds its exports, the heap's `WebAssembly.Memory` among them. */
  wasm?: { asm?: { memory?: unknown } };
}

type Attrs = Record<string, unknown>;
type Inputs = Record<string, tf.TensorInfo> | tf.TensorInfo[];

const BACKEND = 'wasm';
/**
 * Up to this many filter rows (kh·kw·Ci), the direct SIMD kernel computes dW; above it, the convolution
 * form (measured: direct 0.4 ms vs 2.9 ms on cnn28's first layer, 970 ms vs 240 ms on cnn64's second).
 */
const DIRECT_MAX_ROWS = 64;
const MARK = Symbol.for('fedbiomed.training.wasmKernel');

/** Kernel names this module replaces or adds on the wasm backend. */
export const WASM_KERNEL_NAMES = ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'Identity', 'Cast'] as const;

/**
 * Registers the kernels on the `wasm` backend (idempotent). Call after `@tensorflow/tfjs-backend-wasm`
 * is imported; before or after the backend is initialised.
 */
export function registerWasmKernels(): void {
  const originals = new Map<string, tf.KernelConfig>();
  for (const name of ['BatchMatMul', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'Identity', 'Cast', 'Conv2D', 'Transpose', 'Reshape', 'Slice', 'Reverse']) {
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
    Identity: (inputs, backend) => ops.share(backend, (inputs as Record<string, tf.TensorInfo>)['x']!),
    Cast: (inputs, backend, attrs) => ops.cast(backend, inputs as Record<string, tf.TensorInfo>, attrs),
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

/**
 * Whether the SIMD kernels run on the initialised wasm backend (its heap is reachable); otherwise the
 * kernels they serve fall back to tfjs-wasm's own or to XNNPACK compositions.
 */
export function wasmSimdKernelsActive(): boolean {
  const backend = tf.findBackend(BACKEND) as WasmBackend | null;
  return backend !== null && simdKernelsOf(backend) !== undefined;
}

/** The compositions, over the original wasm kernels. */
class KernelOps {
  constructor(private readonly originals: ReadonlyMap<string, tf.KernelConfig>) {}

  batchMatMul(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const transposeA = attrs['transposeA'] === true;
    const transposeB = attrs['transposeB'] === true;
    const [a, b] = [inputs['a']!, inputs['b']!];
    const single = (t: tf.TensorInfo) => t.dtype === 'float32' && (t.shape.length === 2 || (t.shape.length === 3 && t.shape[0] === 1));
    if ((!transposeA && !transposeB) || !single(a) || !single(b)) return this.run('BatchMatMul', backend, inputs, attrs);
    if (a.shape.length === 2 || b.shape.length === 2) {
      // tf.matMul passes matrices as they are; the product below needs XNNPACK's [1, rows, cols] form.
      const scratch: tf.TensorInfo[] = [];
      try {
        const as3d = (t: tf.TensorInfo) => (t.shape.length === 3 ? t : keep(scratch, this.reshape(backend, t, [1, ...t.shape])));
        const product = this.batchMatMul(backend, { a: as3d(a), b: as3d(b) }, attrs);
        if (a.shape.length === 3 || b.shape.length === 3) return product;
        return this.reshape(backend, keep(scratch, product), product.shape.slice(1));
      } finally {
        free(backend, scratch);
      }
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
    const simd = simdKernelsOf(backend);
    if (simd && kh * kw * ci <= DIRECT_MAX_ROWS) {
      const out = backend.makeOutput([...filterShape], 'float32');
      simd.conv2dFilterGrad(
        heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out),
        batch, x.shape[1]!, x.shape[2]!, ci, oh, ow, co,
        kh, kw, sh, sw, top, left,
      );
      return out;
    }
    // dW[i, j, c, o] = Σ_{n,y,x} xpad[n, y·s + i, x·s + j, c] · dy[n, y, x, o]: a convolution of
    // xᵀ [Ci, H, W, N] with dyᵀ [Ho, Wo, N, Co] as filter, dilated by the stride.
    const scratch: tf.TensorInfo[] = [];
    try {
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
    } finally {
      free(backend, scratch);
    }
  }

  maxPoolGrad(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const dy = inputs['dy']!;
    const x = inputs['input']!;
    const simd = simdKernelsOf(backend);
    if (!simd || x.dtype !== 'float32') return this.run('MaxPoolGrad', backend, inputs, attrs);
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
    dx.fill(0);
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    simd.maxPoolGrad(
      heapOffset(backend, x), heapOffset(backend, inputs['output']!), heapOffset(backend, dy), dx.byteOffset,
      batchSize, inHeight, inWidth, inChannels, outHeight, outWidth,
      filterHeight, filterWidth, strideHeight, strideWidth, info.padInfo.top, info.padInfo.left,
    );
    return out;
  }

  sum(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const x = inputs['x']!;
    const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    const simd = simdKernelsOf(backend);
    if (!leading || !simd || x.dtype !== 'float32') return this.run('Sum', backend, inputs, attrs);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(axes.length);
    const shape = attrs['keepDims'] === true ? [...axes.map(() => 1), ...rest] : rest;
    const out = backend.makeOutput(shape, 'float32');
    simd.sumRows(heapOffset(backend, x), heapOffset(backend, out), rows, rest.reduce((a, b) => a * b, 1));
    return out;
  }

  /**
   * Identity, and Cast to the same dtype: the output shares the input's memory (reference-counted,
   * as Reshape does), where tfjs-wasm copies it. A training step runs dozens of them (gradient
   * bookkeeping, variable reads); no wasm kernel writes into its inputs, so sharing is safe, as it
   * is in tfjs' cpu backend.
   */
  share(backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo {
    if (x.dtype === 'string') return this.run('Identity', backend, { x }, {});
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  }

  cast(backend: WasmBackend, inputs: Record<string, tf.TensorInfo>, attrs: Attrs): tf.TensorInfo {
    const x = inputs['x']!;
    return attrs['dtype'] === x.dtype && x.dtype !== 'string' ? this.share(backend, x) : this.run('Cast', backend, inputs, attrs);
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

/** The SIMD kernels over this backend's heap, or undefined if its memory is not reachable. */
function simdKernelsOf(backend: WasmBackend): SimdKernels | undefined {
  const memory = backend.wasm?.asm?.memory;
  return isWasmMemory(memory) ? simdKernelsFor(memory) : undefined;
}

/** Byte offset of a tensor's data in the wasm heap. */
function heapOffset(backend: WasmBackend, info: tf.TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}

function keep(scratch: tf.TensorInfo[], info: tf.TensorInfo): tf.TensorInfo {
  scratch.push(info);
  return info;
}

function free(backend: WasmBackend, infos: readonly tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
