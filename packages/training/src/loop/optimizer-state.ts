import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import type { OptimizerSpec } from '../plan/plan-spec';
import type { WeightSpec } from '../weights';
import { slotsPerVariable } from './optimizers';

/** One accumulator of an optimiser for one trainable weight, e.g. Adam's first moment of a kernel. */
export interface OptimizerSlot {
  /** `<weight>/<slot>`, e.g. `dense_1/kernel/m`; informative only, slots are matched by position. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * An optimiser's state between rounds, as plain data: which optimiser, how many steps it has taken
 * (Adam's bias correction depends on it) and its slots in tfjs' `getWeights()` order, one per
 * trainable weight and kind of slot (Adam: every first moment, then every second moment; SGD: none).
 */
export interface OptimizerState {
  /** One of `OPTIMIZER_NAMES`. */
  readonly optimizer: string;
  /** Optimiser steps taken since the state was first created. */
  readonly step: number;
  readonly slots: readonly OptimizerSlot[];
}

/**
 * Checks that `state` belongs to the optimiser `spec` and to a model whose trainable weights are
 * `weights` (slot count, shapes, value counts), before anything is allocated.
 *
 * @throws TrainingError OPTIMIZER_STATE_MISMATCH naming the optimiser or the slot at fault
 */
export function checkOptimizerState(state: OptimizerState, spec: OptimizerSpec, weights: readonly WeightSpec[]): void {
  const fail = (message: string): never => {
    throw new TrainingError('OPTIMIZER_STATE_MISMATCH', message);
  };
  if (state.optimizer !== spec.name) fail(`the optimiser state is for "${state.optimizer}" but this round runs "${spec.name}"`);
  if (!Number.isSafeInteger(state.step) || state.step < 0) fail(`the optimiser state's step must be a non-negative integer, got ${state.step}`);
  const perWeight = slotsPerVariable(spec);
  const expected = perWeight * weights.length;
  if (state.slots.length !== expected) {
    fail(`the "${spec.name}" state holds ${state.slots.length} slots, expected ${expected} (${perWeight} per trainable weight × ${weights.length})`);
  }
  state.slots.forEach((slot, k) => {
    const weight = weights[k % weights.length]!;
    if (slot.shape.length !== weight.shape.length || slot.shape.some((d, j) => d !== weight.shape[j])) {
      fail(`optimiser slot ${k} ("${slot.name}") has shape [${slot.shape.join(', ')}], but weight "${weight.name}" has [${weight.shape.join(', ')}]`);
    }
    const size = weight.shape.reduce((n, d) => n * d, 1);
    if (slot.values.length !== size) fail(`optimiser slot ${k} ("${slot.name}") holds ${slot.values.length} values, its shape needs ${size}`);
  });
}

/** Loads a checked `state` into a fresh optimiser; the optimiser owns the slots from then on. */
export async function restoreOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const iterations = tf.scalar(state.step, 'int32');
  const slots = state.slots.map((slot) => tf.tensor(slot.values, [...slot.shape], 'float32'));
  try {
    // setWeights turns each tensor into a variable that shares its data; ours can then go.
    await optimizer.setWeights([
      { name: 'iter', tensor: iterations },
      ...slots.map((tensor, k) => ({ name: state.slots[k]!.name, tensor })),
    ]);
  } finally {
    iterations.dispose();
    tf.dispose(slots);
  }
}

/** Copies an optimiser's state out, its slots named after `weights` (the model's trainable weights). */
export async function readOptimizerState(optimizer: tf.Optimizer, spec: OptimizerSpec, weights: readonly WeightSpec[]): Promise<OptimizerState> {
  const [iterations, ...slots] = await optimizer.getWeights();
  try {
    const step = iterations ? (await iterations.tensor.data())[0]! : 0;
    return {
      optimizer: spec.name,
      step,
      slots: await Promise.all(
        slots.map(async ({ name, tensor }, k) => ({
          // tfjs names a slot after the variable, whose name gets a suffix per model built in the process.
          name: `${weights[k % weights.length]!.name}/${name.slice(name.lastIndexOf('/') + 1)}`,
          shape: [...tensor.shape],
          values: Float32Array.from(await tensor.data()),
        })),
      ),
    };
  } finally {
    // The iteration counter is a fresh tensor; the slots are the optimiser's own variables.
    iterations?.tensor.dispose();
  }
}
