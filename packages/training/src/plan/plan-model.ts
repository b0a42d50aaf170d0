import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import { assignWeights, checkWeightSpecs, weightSpecs, type ModelWeights } from '../weights';
import type { PlanSpec } from './plan-spec';

/**
 * Builds the plan's tfjs model, checks that its weights match the plan's manifest and, when given,
 * loads `weights` into it. Validate the plan first ({@link validatePlan}): this builds whatever
 * topology it is handed.
 */
export async function planToModel(spec: PlanSpec, weights?: ModelWeights): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: spec.modelTopology as tf.io.ModelJSON['modelTopology'] });
  } catch (cause) {
    throw new TrainingError('MALFORMED_PLAN', `plan "${spec.name}": tfjs cannot build its topology: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    checkWeightSpecs(spec.weights.tensors, weightSpecs(model));
    if (weights) assignWeights(model, weights);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}
