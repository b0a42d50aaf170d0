import * as tf from '@tensorflow/tfjs';
import type { OptimizerArgs__Output } from '@fedbiomed/proto';

import { TrainingError } from '../errors';
import { OPTIMIZER_NAMES, type OptimizerSpec, type PlanSpec } from '../plan/plan-spec';

/** Arguments each optimiser accepts beside the learning rate. */
const PARAMS: Record<OptimizerSpec['name'], readonly string[]> = {
  sgd: [],
  momentum: ['momentum', 'nesterov'],
  adam: ['beta1', 'beta2', 'epsilon'],
  adagrad: ['initialAccumulatorValue'],
  rmsprop: ['decay', 'momentum', 'epsilon', 'centered'],
};

/**
 * The optimiser a round runs: the request's `TrainingArgs.optimizer` when it names another one or
 * other arguments (its learning rate falling back to the plan's), else the plan's own with the
 * request's learning rate when one is given. Whether the request may do so is the plan's limits'
 * call (`checkTrainingLimits`), checked by the node before training.
 *
 * @throws TrainingError UNSUPPORTED for a name outside `OPTIMIZER_NAMES`
 */
export function resolveOptimizer(plan: PlanSpec, requested: Partial<OptimizerArgs__Output> | null | undefined): OptimizerSpec {
  const learningRate = requested?.learningRate || plan.optimizer.learningRate;
  const params = requested?.params ?? {};
  const name = requested?.name || plan.optimizer.name;
  if (name === plan.optimizer.name && Object.keys(params).length === 0) return { ...plan.optimizer, learningRate };
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    throw new TrainingError('UNSUPPORTED', `optimiser "${name}" is not one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
  return { name: name as OptimizerSpec['name'], learningRate, params: { ...params } };
}

/** Creates a fresh tfjs optimiser (new state) from a declared optimiser. */
export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  const allowed = PARAMS[spec.name];
  if (!allowed) {
    throw new TrainingError('UNSUPPORTED', `optimiser "${spec.name}" is not one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
  for (const key of Object.keys(spec.params)) {
    if (!allowed.includes(key)) {
      throw new TrainingError(
        'UNSUPPORTED',
        `optimiser "${spec.name}" takes no argument "${key}" (accepted: ${allowed.join(', ') || 'none'})`,
      );
    }
  }
  const p = spec.params;
  const lr = spec.learningRate;
  switch (spec.name) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, p['momentum'] ?? 0.9, (p['nesterov'] ?? 0) !== 0);
    case 'adam':
      return tf.train.adam(lr, p['beta1'], p['beta2'], p['epsilon']);
    case 'adagrad':
      return tf.train.adagrad(lr, p['initialAccumulatorValue']);
    case 'rmsprop':
      return tf.train.rmsprop(lr, p['decay'], p['momentum'], p['epsilon'], (p['centered'] ?? 0) !== 0);
  }
}

/**
 * Disposes an optimiser and all its tensors. tfjs 4.22's `MomentumOptimizer.dispose` overrides SGD's
 * without calling it, so the `-learningRate` scalar SGD keeps would leak once per round.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer instanceof tf.MomentumOptimizer) {
    const kept = (optimizer as unknown as { c?: tf.Tensor }).c;
    if (kept && !kept.isDisposed) kept.dispose();
  }
}

/** Slots an optimiser keeps per trainable weight (moments, accumulators), in tfjs' `getWeights()` layout. */
export function slotsPerVariable(spec: OptimizerSpec): number {
  switch (spec.name) {
    case 'sgd':
      return 0;
    case 'momentum':
    case 'adagrad':
      return 1;
    case 'adam':
      return 2;
    case 'rmsprop':
      return (spec.params['centered'] ?? 0) !== 0 ? 3 : 2;
  }
}
