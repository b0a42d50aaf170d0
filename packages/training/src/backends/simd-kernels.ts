import { SIMD_KERNELS_WASM_BASE64 } from './simd-kernels.generated';

/**
 * The SIMD kernels of `assembly/kernels.ts`, bound to one wasm heap. Arguments are byte offsets into
 * that heap and sizes; see the AssemblyScript source for each kernel's contract.
 */
export interface SimdKernels {
  sumRows(x: number, out: number, rows: number, width: number): void;
  maxPoolGrad(
    x: number, y: number, dy: number, dx: number,
    batch: number, inHeight: number, inWidth: number, channels: number, outHeight: number, outWidth: number,
    filterHeight: number, filterWidth: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
  ): void;
  conv2dFilterGrad(
    x: number, dy: number, dw: number,
    batch: number, inHeight: number, inWidth: number, inChannels: number, outHeight: number, outWidth: number, outChannels: number,
    filterHeight: number, filterWidth: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
  ): void;
}

/** The WebAssembly JS API as used here (its types live in lib.dom, which this package does not load). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
  Memory: abstract new (...args: never[]) => WasmMemory;
};
interface WasmModule {
  readonly __module: unique symbol;
}
/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

let compiled: WasmModule | undefined;
const bound = new WeakMap<WasmMemory, SimdKernels>();

/** Whether `value` is a `WebAssembly.Memory` (the tfjs-wasm heap exports one). */
export function isWasmMemory(value: unknown): value is WasmMemory {
  return value instanceof WebAssembly.Memory;
}

/** Instantiates the kernels over `memory` (once per memory; the module is compiled once per process). */
export function simdKernelsFor(memory: WasmMemory): SimdKernels {
  let kernels = bound.get(memory);
  if (!kernels) {
    compiled ??= new WebAssembly.Module(Buffer.from(SIMD_KERNELS_WASM_BASE64, 'base64'));
    kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
    bound.set(memory, kernels);
  }
  return kernels;
}
