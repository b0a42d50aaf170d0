import { z } from 'zod';

/** The one plan kind this package executes: a tfjs LayersModel topology plus declared training configuration. */
export const PLAN_KIND = 'tfjs-layers';

/**
 * Version of the plan JSON layout; bumped on any incompatible change. 2: the initial weights' digest
 * left the plan (approval covers what runs on the node, not the starting values) and every weight
 * declares its dtype.
 */
export const PLAN_FORMAT_VERSION = 2;

/** Losses a plan may declare. Model outputs are probabilities (softmax / sigmoid), as in Keras. */
export const LOSS_NAMES = [
  'binary_crossentropy',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'mse',
  'mae',
] as const;
/** One of {@link LOSS_NAMES}. */
export type LossName = (typeof LOSS_NAMES)[number];

/** Optimisers a plan or the training arguments may name. */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam', 'adagrad', 'rmsprop'] as const;
/** One of {@link OPTIMIZER_NAMES}. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Metrics the evaluation computes; names follow scikit-learn's. */
export const METRIC_NAMES = [
  'loss',
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'roc_auc',
  'mse',
  'mae',
  'r2',
  'explained_variance',
  'concordance_index',
] as const;
/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const dims = z.array(z.number().int().positive());

/** Optimiser and its arguments (`momentum`, `beta1`, `beta2`, `epsilon`, `rho`, `decay`, `initialAccumulatorValue`). */
export const optimizerSpecSchema = z.strictObject({
  name: z.enum(OPTIMIZER_NAMES),
  learningRate: z.number().positive(),
  params: z.record(z.string(), z.number()),
});
/** An optimiser as a plan declares it. */
export type OptimizerSpec = z.infer<typeof optimizerSpecSchema>;

/** A named preprocessing step the node applies before the model (resolved by the datasets package). */
export const preprocessingRefSchema = z.strictObject({
  name: z.string().min(1),
  params: z.record(z.string(), jsonValue),
});
/** A preprocessing reference. */
export type PreprocessingRef = z.infer<typeof preprocessingRefSchema>;

/** Layout of a plan's canonical JSON; strict, so an unknown field is a refusal, not silently ignored. */
export const planSpecSchema = z.strictObject({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  kind: z.literal(PLAN_KIND),
  name: z.string().min(1),
  description: z.string(),
  modelTopology: z.record(z.string(), jsonValue),
  inputShape: dims,
  outputShape: dims,
  loss: z.enum(LOSS_NAMES),
  optimizer: optimizerSpecSchema,
  metrics: z.array(z.enum(METRIC_NAMES)),
  preprocessing: z.array(preprocessingRefSchema),
  /** The weights' manifest: what every round's weights must match. Their values are not part of the plan. */
  weights: z.strictObject({
    tensors: z.array(
      z.strictObject({ name: z.string().min(1), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') }),
    ),
  }),
});

/**
 * The content of a training plan: what its canonical JSON holds and its hash covers, so what a node
 * operator approves: the topology (initialisers excepted), input and output shapes, loss, optimiser,
 * metrics, preprocessing and the weights' names, shapes and dtypes. Not the initial weight values.
 */
export type PlanSpec = z.infer<typeof planSpecSchema>;
