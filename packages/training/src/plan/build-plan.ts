import type * as tf from '@tensorflow/tfjs';
import { describeZodIssues } from '@fedbiomed/datasets';
import type { TrainingPlan__Output } from '@fedbiomed/proto';

import { TrainingError } from '../errors';
import { readWeights, weightSpecs, weightsSha256, type WeightTensor } from '../weights';
import { canonicalJson, sha256Hex } from './canonical-json';
import {
  PLAN_FORMAT_VERSION,
  PLAN_KIND,
  planSpecSchema,
  type LossName,
  type MetricName,
  type OptimizerName,
  type PlanSpec,
  type PreprocessingRef,
} from './plan-spec';

/** What a researcher declares beside the model. */
export interface PlanConfig {
  /** Name shown to node operators. */
  readonly name: string;
  readonly description?: string;
  readonly loss: LossName;
  readonly optimizer: {
    readonly name: OptimizerName;
    readonly learningRate: number;
    readonly params?: Readonly<Record<string, number>>;
  };
  /** Metrics computed on the test split; defaults to `['loss']`. */
  readonly metrics?: readonly MetricName[];
  readonly preprocessing?: readonly PreprocessingRef[];
}

/** A plan ready to send: its wire form, its parsed content and the model's initial weights. */
export interface BuiltPlan {
  /** The proto `TrainingPlan` (canonical JSON, SHA-256, kind, name). */
  readonly plan: TrainingPlan__Output;
  readonly spec: PlanSpec;
  /** Initial global weights; their digest is inside the plan, their bytes are not. */
  readonly initialWeights: WeightTensor[];
}

/**
 * Turns a tfjs LayersModel and its training configuration into a plan: topology from
 * `model.toJSON()`, initial weights kept out of the JSON but bound to it by their SHA-256.
 */
export function buildPlan(model: tf.LayersModel, config: PlanConfig): BuiltPlan {
  const initialWeights = readWeights(model);
  const candidate = {
    formatVersion: PLAN_FORMAT_VERSION,
    kind: PLAN_KIND,
    name: config.name,
    description: config.description ?? '',
    modelTopology: topologyOf(model),
    inputShape: sampleShape(model.inputs[0]?.shape, 'input'),
    outputShape: sampleShape(model.outputs[0]?.shape, 'output'),
    loss: config.loss,
    optimizer: {
      name: config.optimizer.name,
      learningRate: config.optimizer.learningRate,
      params: { ...(config.optimizer.params ?? {}) },
    },
    metrics: [...(config.metrics ?? ['loss'])],
    preprocessing: (config.preprocessing ?? []).map((p) => ({ name: p.name, params: { ...p.params } })),
    weights: { sha256: weightsSha256(initialWeights), tensors: weightSpecs(model) },
  };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new TrainingError(
      'INVALID_ARGUMENT',
      `model "${model.name}" has ${model.inputs.length} inputs and ${model.outputs.length} outputs; plans take one of each`,
    );
  }
  const parsed = planSpecSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new TrainingError('INVALID_ARGUMENT', `plan "${config.name}": ${describeZodIssues(parsed.error.issues, candidate).join('; ')}`);
  }
  return { plan: encodePlan(parsed.data), spec: parsed.data, initialWeights };
}

/** Wire form of a plan spec: canonical JSON and its SHA-256. */
export function encodePlan(spec: PlanSpec): TrainingPlan__Output {
  const canonical = canonicalJson(spec);
  return { canonicalJson: canonical, sha256: sha256Hex(canonical), kind: PLAN_KIND, name: spec.name };
}

/**
 * The topology without the library version stamps (`keras_version`, `backend`), so that the same
 * model gives the same hash under any tfjs release.
 */
function topologyOf(model: tf.LayersModel): Record<string, unknown> {
  const json = model.toJSON(null, false) as unknown as Record<string, unknown>;
  const { keras_version: _version, backend: _backend, ...topology } = json;
  return topology;
}

function sampleShape(shape: readonly (number | null)[] | undefined, what: string): number[] {
  const dims = (shape ?? []).slice(1);
  if (dims.some((d) => d === null || d <= 0)) {
    throw new TrainingError('INVALID_ARGUMENT', `model ${what} shape [${(shape ?? []).join(',')}] must be fixed after the batch axis`);
  }
  return dims as number[];
}
