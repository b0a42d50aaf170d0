import type * as tf from '@tensorflow/tfjs';
import type { TrainingPlan } from '@fedbiomed/proto';
import { unflattenTensors, type ParameterLayout } from '@fedbiomed/strategy';
import { planToModel, saveModel, validatePlan } from '@fedbiomed/training';

/**
 * Builds the plan's tfjs model holding `weights` (flat in `layout`). The caller owns the model and
 * disposes it.
 */
export async function buildGlobalModel(plan: TrainingPlan, layout: ParameterLayout, weights: Float32Array): Promise<tf.LayersModel> {
  const { spec } = validatePlan(plan);
  return planToModel(spec, unflattenTensors(layout, weights));
}

/** Saves the model in the standard tfjs format (`model.json` + `weights.bin`) in `dir`. */
export async function exportGlobalModel(plan: TrainingPlan, layout: ParameterLayout, weights: Float32Array, dir: string): Promise<void> {
  const model = await buildGlobalModel(plan, layout, weights);
  try {
    await saveModel(model, dir);
  } finally {
    model.dispose();
  }
}
