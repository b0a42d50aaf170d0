import * as tf from '@tensorflow/tfjs';
import { createLayout, flattenTensors, unflattenTensors } from '@fedbiomed/strategy';

import { TrainingError } from './errors';
import { sha256Hex } from './plan/canonical-json';

/** One named weight tensor of a model, as plain data (float32, row-major). */
export interface WeightTensor {
  /** Stable name `<layer>/<weight>`, e.g. `dense_1/kernel`; equal across processes. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** All weights of a model in `model.weights` order (trainable first, then non-trainable). */
export type ModelWeights = readonly WeightTensor[];

/** Name, shape and (when known) dtype of one weight: what a plan declares and what every round must match. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** tfjs dtype; plans declare `float32` for every weight (the only dtype weights travel in). */
  readonly dtype?: string;
}

/**
 * Reads a model's weights into plain arrays (one synchronous read per tensor). Synchronous reads are
 * unavailable on webgpu in Node; code that may run on a GPU backend uses {@link readWeightsAsync}.
 */
export function readWeights(model: tf.LayersModel): WeightTensor[] {
  return model.weights.map((w) => {
    const value = w.read();
    return { name: w.originalName, shape: [...value.shape], values: Float32Array.from(value.dataSync()) };
  });
}

/** Reads a model's weights into plain arrays without blocking on the device (works on every backend). */
export async function readWeightsAsync(model: tf.LayersModel): Promise<WeightTensor[]> {
  return Promise.all(
    model.weights.map(async (w) => {
      const value = w.read();
      return { name: w.originalName, shape: [...value.shape], values: Float32Array.from(await value.data()) };
    }),
  );
}

/** Manifest (names, shapes, dtypes) of a model's weights. */
export function weightSpecs(model: tf.LayersModel): WeightSpec[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: [...w.read().shape], dtype: w.dtype }));
}

/** Checks that `actual` has the same weight names, order, shapes and (where both say) dtypes as `expected`. */
export function checkWeightSpecs(expected: readonly WeightSpec[], actual: readonly WeightSpec[]): void {
  if (expected.length !== actual.length) {
    throw new TrainingError('WEIGHTS_MISMATCH', `expected ${expected.length} weight tensors, got ${actual.length}`);
  }
  expected.forEach((spec, i) => {
    const w = actual[i]!;
    if (w.name !== spec.name) {
      throw new TrainingError('WEIGHTS_MISMATCH', `weight ${i} is named "${w.name}", expected "${spec.name}"`);
    }
    if (w.shape.length !== spec.shape.length || w.shape.some((d, j) => d !== spec.shape[j])) {
      throw new TrainingError(
        'WEIGHTS_MISMATCH',
        `weight "${w.name}" has shape [${w.shape.join(',')}], expected [${spec.shape.join(',')}]`,
      );
    }
    if (spec.dtype !== undefined && w.dtype !== undefined && w.dtype !== spec.dtype) {
      throw new TrainingError('WEIGHTS_MISMATCH', `weight "${w.name}" is ${w.dtype}, expected ${spec.dtype}`);
    }
  });
}

/** Checks that `weights` match `specs` exactly (names, order, shapes) and hold the right number of values. */
export function checkWeights(specs: readonly WeightSpec[], weights: ModelWeights): void {
  checkWeightSpecs(specs, weights);
  for (const w of weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (w.values.length !== size) {
      throw new TrainingError('WEIGHTS_MISMATCH', `weight "${w.name}" holds ${w.values.length} values, shape needs ${size}`);
    }
  }
}

/** Writes `weights` into `model` after checking them against its manifest. */
export function assignWeights(model: tf.LayersModel, weights: ModelWeights): void {
  checkWeights(weightSpecs(model), weights);
  model.weights.forEach((w, i) => {
    const src = weights[i]!;
    const t = tf.tensor(src.values, [...src.shape], 'float32');
    w.write(t);
    t.dispose();
  });
}

/** Total number of scalar values in a set of weights. */
export function weightCount(specs: readonly { shape: readonly number[] }[]): number {
  return specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Concatenates weights into one flat array in their order (the layout of SCAFFOLD controls and DP). */
export function flattenWeights(weights: ModelWeights): Float32Array {
  return flattenTensors(createLayout(weights), weights);
}

/** Splits a flat array back into weights shaped like `specs`. */
export function unflattenWeights(specs: readonly WeightSpec[], flat: Float32Array): WeightTensor[] {
  const layout = createLayout(specs);
  if (flat.length !== layout.size) {
    throw new TrainingError('WEIGHTS_MISMATCH', `flat array holds ${flat.length} values, the layout needs ${layout.size}`);
  }
  return unflattenTensors(layout, flat).map((t) => ({ name: t.name, shape: [...t.shape], values: t.values }));
}

/**
 * SHA-256 over the weights' names, shapes and little-endian float32 bytes: changes with any value,
 * name, shape or order change.
 */
export function weightsSha256(weights: ModelWeights): string {
  const parts: Uint8Array[] = [];
  for (const w of weights) {
    parts.push(Buffer.from(`${JSON.stringify(w.name)}:[${w.shape.join(',')}]\n`, 'utf8'));
    parts.push(toLittleEndian(w.values));
  }
  return sha256Hex(Buffer.concat(parts));
}

function toLittleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}
