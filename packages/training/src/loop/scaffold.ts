import * as tf from '@tensorflow/tfjs';
import { SCAFFOLD_NODE_CONTROL, SCAFFOLD_SERVER_CONTROL } from '@fedbiomed/strategy';

import { TrainingError } from '../errors';
import { flattenWeights, weightCount, weightSpecs, type ModelWeights } from '../weights';


/** SCAFFOLD's per-variable gradient correction for one round. */
export interface ScaffoldCorrection {
  /** Returns g − c_i + c for every gradient (new tensors; the caller disposes both maps). */
  correct(grads: tf.NamedTensorMap): tf.NamedTensorMap;
  dispose(): void;
}

/**
 * Builds the correction c − c_i for each trainable variable from the flat controls in `aux`
 * (c_i defaults to zeros, as before a node's first round).
 */
export function createScaffold(model: tf.LayersModel, aux: Readonly<Record<string, Float32Array>>): ScaffoldCorrection {
  const { server, node } = controls(model, aux);
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const spec of weightSpecs(model)) {
    offsets.set(spec.name, offset);
    offset += spec.shape.reduce((a, b) => a * b, 1);
  }
  const corrections = new Map<string, tf.Tensor>();
  for (const w of model.trainableWeights) {
    const variable = w.read() as tf.Variable;
    const start = offsets.get(w.originalName)!;
    const delta = new Float32Array(variable.size);
    for (let k = 0; k < variable.size; k++) delta[k] = server[start + k]! - node[start + k]!;
    corrections.set(variable.name, tf.keep(tf.tensor(delta, variable.shape, 'float32')));
  }
  return {
    correct: (grads) => {
      const out: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(grads)) {
        const c = corrections.get(name);
        out[name] = c ? tf.add(g, c) : g.clone();
      }
      return out;
    },
    dispose: () => tf.dispose([...corrections.values()]),
  };
}

/**
 * The node's next control variate, SCAFFOLD option II: c_i⁺ = c_i − c + (x − y_i)/(K·η_l), with x the
 * round's global weights, y_i the local weights after K steps of learning rate η_l.
 */
export function nextNodeControl(
  model: tf.LayersModel,
  aux: Readonly<Record<string, Float32Array>>,
  global: ModelWeights,
  local: ModelWeights,
  steps: number,
  learningRate: number,
): Float32Array {
  const { server, node } = controls(model, aux);
  const x = flattenWeights(global);
  const y = flattenWeights(local);
  const scale = 1 / (steps * learningRate);
  const out = new Float32Array(x.length);
  for (let k = 0; k < out.length; k++) out[k] = node[k]! - server[k]! + (x[k]! - y[k]!) * scale;
  return out;
}

function controls(model: tf.LayersModel, aux: Readonly<Record<string, Float32Array>>): { server: Float32Array; node: Float32Array } {
  const size = weightCount(weightSpecs(model));
  const server = aux[SCAFFOLD_SERVER_CONTROL];
  if (!server) throw new TrainingError('INVALID_ARGUMENT', `aux "${SCAFFOLD_SERVER_CONTROL}" is missing`);
  const node = aux[SCAFFOLD_NODE_CONTROL] ?? new Float32Array(size);
  for (const [key, value] of [
    [SCAFFOLD_SERVER_CONTROL, server],
    [SCAFFOLD_NODE_CONTROL, node],
  ] as const) {
    if (value.length !== size) {
      throw new TrainingError('INVALID_ARGUMENT', `aux "${key}" holds ${value.length} values; the model's weights hold ${size}`);
    }
  }
  return { server, node };
}
