import * as tf from '@tensorflow/tfjs';
import { buildPlan, type BuiltPlan, type MetricName, type PreprocessingRef } from '@fedbiomed/training';

/** Number of features FLamby's Fed-Heart-Disease preprocessing yields. */
export const HEART_DISEASE_FEATURES = 13;

const TORCH_BOUND = 1 / Math.sqrt(HEART_DISEASE_FEATURES);

/** Options of {@link buildHeartDiseasePlan}. */
export interface HeartDiseasePlanOptions {
  /** Local SGD learning rate (FLamby: 0.001 for FedAvg, FedProx and SCAFFOLD). */
  readonly learningRate: number;
  /** Seed of the initial weights, so every run and every node starts from the same model. */
  readonly seed: number;
  readonly metrics?: readonly MetricName[];
  /** Preprocessing steps, e.g. a `standardize` step with global statistics. */
  readonly preprocessing?: readonly PreprocessingRef[];
}

/**
 * FLamby's Fed-Heart-Disease baseline as a plan: logistic regression (`Linear(13, 1)` + sigmoid),
 * binary cross-entropy, plain SGD.
 */
export function buildHeartDiseasePlan(options: HeartDiseasePlanOptions): BuiltPlan {
  const model = tf.sequential({
    name: 'heart_disease_logreg',
    layers: [
      tf.layers.dense({
        name: 'logistic',
        units: 1,
        activation: 'sigmoid',
        inputShape: [HEART_DISEASE_FEATURES],
        // PyTorch's nn.Linear default, which FLamby's baseline uses: U(-1/√fan_in, 1/√fan_in).
        kernelInitializer: tf.initializers.randomUniform({ minval: -TORCH_BOUND, maxval: TORCH_BOUND, seed: options.seed }),
        biasInitializer: tf.initializers.randomUniform({ minval: -TORCH_BOUND, maxval: TORCH_BOUND, seed: options.seed + 1 }),
      }),
    ],
  });
  try {
    return buildPlan(model, {
      name: 'fed-heart-disease-logistic-regression',
      description: "FLamby's Fed-Heart-Disease baseline: logistic regression on 13 features",
      loss: 'binary_crossentropy',
      optimizer: { name: 'sgd', learningRate: options.learningRate },
      metrics: [...(options.metrics ?? ['accuracy', 'loss'])],
      ...(options.preprocessing !== undefined && { preprocessing: [...options.preprocessing] }),
    });
  } finally {
    model.dispose();
  }
}
