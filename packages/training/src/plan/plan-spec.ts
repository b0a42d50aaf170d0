import { z } from 'zod';

import { lossRefIssues } from '../losses/loss-registry';
import { isMetricName, unknownMetric } from '../metrics/metric-registry';
import { compressionSpecSchema } from '../compression/compression-spec';
import { planPluginsSchema } from './plan-plugins';
import { trainingLimitsSchema } from './training-limits';

/** The one plan kind this package executes: a tfjs LayersModel topology plus declared training configuration. */
export const PLAN_KIND = 'tfjs-layers';

/**
 * Version of the plan JSON layout; bumped on any incompatible change. 2: the initial weights' digest
 * left the plan (approval covers what runs on the node, not the starting values) and every weight
 * declares its dtype.
 */
export const PLAN_FORMAT_VERSION = 2;

/** Optimisers a plan or the training arguments may name. */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'adam', 'adagrad', 'rmsprop'] as const;
/** One of {@link OPTIMIZER_NAMES}. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** A metric name: `loss` or one registered with `registerMetric` (scikit-learn's names for the built-ins). */
export type MetricName = string;

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const dims = z.array(z.number().int().positive());

/**
 * A plan's loss: a registered name, or `{ name, params }` with arguments that loss's schema accepts.
 * A bare name is the loss with its default arguments, so plans written before losses took arguments
 * keep their JSON and their hash.
 */
export const lossRefSchema = z
  .union([z.string().min(1), z.strictObject({ name: z.string().min(1), params: z.record(z.string(), jsonValue) })])
  .superRefine((ref, ctx) => {
    for (const issue of lossRefIssues(ref)) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
  });

/** A metric name known to the metric registry (built-in or registered). */
export const metricNameSchema = z.string().superRefine((name, ctx) => {
  if (!isMetricName(name)) ctx.addIssue({ code: 'custom', message: unknownMetric(name).message });
});

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
  loss: lossRefSchema,
  optimizer: optimizerSpecSchema,
  metrics: z.array(metricNameSchema),
  preprocessing: z.array(preprocessingRefSchema),
  /** The plug-in packages (exact versions) whose losses, metrics or layers the plan uses; absent when none. */
  plugins: planPluginsSchema.optional(),
  /** The weights' manifest: what every round's weights must match. Their values are not part of the plan. */
  weights: z.strictObject({
    tensors: z.array(
      z.strictObject({ name: z.string().min(1), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') }),
    ),
  }),
  /** What the training arguments of a round may ask for; absent (as in plans written before limits): the defaults. */
  limits: trainingLimitsSchema.optional(),
  /** How updates go up and the global model down (codecs and their parameters); absent: float32 both ways. */
  compression: compressionSpecSchema.optional(),
});

/**
 * The content of a training plan: what its canonical JSON holds and its hash covers, so what a node
 * operator approves: the topology (initialisers excepted), input and output shapes, loss, optimiser,
 * metrics, preprocessing, the plug-ins used (package and exact version), the weights' names, shapes
 * and dtypes, and the limits on training arguments. Not the initial weight values.
 */
export type PlanSpec = z.infer<typeof planSpecSchema>;
