import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import { OPTIMIZER_NAMES, type OptimizerSpec } from '../plan/plan-spec';

/** Arguments each optimiser accepts beside the learning rate. */
const PARAMS: Record<OptimizerSpec['name'], readonly string[]> = {
  sgd: [],
  momentum: ['momentum', 'nesterov'],
  adam: ['beta1', 'beta2', 'epsilon'],
  adagrad: ['initialAccumulatorValue'],
  rmsprop: ['decay', 'momentum', 'epsilon', 'centered'],
};

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
