import type * as tf from '@tensorflow/tfjs';
import type { TrainingPlan } from '@fedbiomed/proto';
import { unflattenTensors, type ParameterLayout } from '@fedbiomed/strategy';
import { PREPROCESSING_FORMAT_VERSION, planToModel, saveModel, validatePlan, type PreprocessingManifest } from '@fedbiomed/training';
import type { PooledStandardization } from './standardization';

/** The standardisation an exported model applies, and where its statistics came from. */
export type ExportedStandardization = PooledStandardization & {
  /** `federated`: gathered from the nodes before the first round; `global`: held by the plan (its approval covers them). */
  readonly statistics: 'federated' | 'global';
  /** SHA-256 of the analytics query that computed global statistics. */
  readonly query?: string;
};

/**
 * Builds the plan's tfjs model holding `weights` (flat in `layout`). The caller owns the model and
 * disposes it.
 */
export async function buildGlobalModel(plan: TrainingPlan, layout: ParameterLayout, weights: Float32Array): Promise<tf.LayersModel> {
  const { spec } = validatePlan(plan);
  return planToModel(spec, unflattenTensors(layout, weights));
}

/**
 * Saves the model in the standard tfjs format (`model.json` + `weights.bin`) in `dir`; with a
 * `standardization`, prepended to the model and described in `preprocessing.json`, so the saved
 * model takes raw samples.
 */
export async function exportGlobalModel(
  plan: TrainingPlan,
  layout: ParameterLayout,
  weights: Float32Array,
  dir: string,
  standardization?: ExportedStandardization,
): Promise<void> {
  const { spec } = validatePlan(plan);
  const model = await planToModel(spec, unflattenTensors(layout, weights));
  try {
    await saveModel(model, dir, standardization === undefined ? {} : { preprocessing: preprocessingManifest(spec.inputShape, standardization) });
  } finally {
    model.dispose();
  }
}

/** The `preprocessing.json` of a model whose inputs are standardised with pooled (federated or global) statistics. */
function preprocessingManifest(inputShape: readonly number[], standardization: ExportedStandardization): PreprocessingManifest {
  return {
    format: 'fedbiomed-preprocessing',
    version: PREPROCESSING_FORMAT_VERSION,
    inputShape: [...inputShape],
    featureCount: inputShape.reduce((a, b) => a * b, 1),
    steps: [
      {
        name: 'standardize',
        statistics: standardization.statistics,
        ...(standardization.query !== undefined && { query: standardization.query }),
        sampleCount: standardization.sampleCount,
        mean: [...standardization.mean],
        scale: [...standardization.scale],
      },
    ],
  };
}
