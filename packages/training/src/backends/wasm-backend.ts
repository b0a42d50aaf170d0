import * as tf from '@tensorflow/tfjs';

import { activate } from './activate';
import { registerWasmKernels, wasmSimdKernelsActive } from './wasm-kernels';

/**
 * Loads `@tensorflow/tfjs-backend-wasm` (its .wasm files ship inside the npm package), adds this
 * package's gradient kernels and activates it. Reports whether the SIMD build is in use.
 */
export async function activateWasm(): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  await activate('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const kernels = wasmSimdKernelsActive() ? 'XNNPACK and SIMD gradient kernels' : 'XNNPACK gradient kernels (SIMD kernels unavailable: backend heap not reachable)';
  return `WebAssembly ${simd ? 'SIMD' : 'without SIMD'}, ${threads ? 'multi-threaded' : '1 thread'}, ${kernels}`;
}
