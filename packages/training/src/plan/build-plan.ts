import type * as tf from '@tensorflow/tfjs';
import { describeZodIssues } from '@fedbiomed/datasets';
import type { TrainingPlan__Output } from '@fedbiomed/proto';

import { TrainingError } from '../errors';
import type { LossRef } from '../losses/loss-definition';
import { readWeights, weightSpecs, type WeightTensor } from '../weights';
import { canonicalJson, sha256Hex } from './canonical-json';
import { planPluginsOf } from './plan-plugins';
import {
  PLAN_FORMAT_VERSION,
  PLAN_KIND,
  planSpecSchema,
  type MetricName,
  type OptimizerName,
  type PlanSpec,
  type PreprocessingRef,
} from './plan-spec';
import type { CompressionSpec } from '../compression/compression-spec';
import type { TrainingLimits } from './training-limits';

/** What a researcher declares beside the model. */
export interface PlanConfig {
  /** Name shown to node operators. */
  readonly name: string;
  readonly description?: string;
  /** A registered loss's name, or `{ name, params }` (no params, or none given: the bare name). */
  readonly loss: LossRef | { readonly name: string; readonly params?: Readonly<Record<string, unknown>> };
  readonly optimizer: {
    readonly name: OptimizerName;
    readonly learningRate: number;
    readonly params?: Readonly<Record<string, number>>;
  };
  /** Metrics computed on the test split; defaults to `['loss']`. */
  readonly metrics?: readonly MetricName[];
  readonly preprocessing?: readonly PreprocessingRef[];
  /**
   * What each round's training arguments may ask for (epochs, updates, batch size, learning-rate
   * range, optimiser override, rounds); approved with the plan. Absent or empty: the defaults
   * (learning rate and optimiser fixed to the plan's, batch size at least 1, no caps), and the plan
   * hashes as a plan written before limits existed.
   */
  readonly limits?: TrainingLimits;
  /**
   * Compressed communication: `up` encodes each node's update (sent as the delta new − global
   * weights), `down` the global model; approved with the plan. Absent: float32 both ways, and the
   * plan hashes as one written before compression existed.
   */
  readonly compression?: CompressionSpec;
}

/** A plan ready to send: its wire form, its parsed content and the model's initial weights. */
export interface BuiltPlan {
  /** The proto `TrainingPlan` (canonical JSON, SHA-256, kind, name). */
  readonly plan: TrainingPlan__Output;
  readonly spec: PlanSpec;
  /** Initial global weights; the plan declares their names, shapes and dtypes, not their values. */
  readonly initialWeights: WeightTensor[];
}

/**
 * Turns a tfjs LayersModel and its training configuration into a plan: topology from
 * `model.toJSON()`, the weights' manifest and the plug-ins (registered with `registerPlugin`) whose
 * layers, loss or metrics it uses. The initial weight values (and the initialisers that
 * drew them) stay out of the plan and its hash: they are data sent with every round, so a rerun of
 * the same script with fresh random weights needs no new approval.
 */
export function buildPlan(model: tf.LayersModel, config: PlanConfig): BuiltPlan {
  const initialWeights = readWeights(model);
  const modelTopology = topologyOf(model);
  const loss = canonicalLoss(config.loss);
  const metrics = [...(config.metrics ?? ['loss'])];
  const plugins = planPluginsOf({ modelTopology, lossName: typeof loss === 'string' ? loss : loss.name, metrics });
  const candidate = {
    formatVersion: PLAN_FORMAT_VERSION,
    kind: PLAN_KIND,
    name: config.name,
    description: config.description ?? '',
    modelTopology,
    inputShape: sampleShape(model.inputs[0]?.shape, 'input'),
    outputShape: sampleShape(model.outputs[0]?.shape, 'output'),
    loss,
    optimizer: {
      name: config.optimizer.name,
      learningRate: config.optimizer.learningRate,
      params: { ...(config.optimizer.params ?? {}) },
    },
    metrics,
    preprocessing: (config.preprocessing ?? []).map((p) => ({ name: p.name, params: { ...p.params } })),
    ...(plugins && { plugins }),
    weights: { tensors: weightSpecs(model) },
    ...(config.limits !== undefined && Object.keys(config.limits).length > 0 && { limits: { ...config.limits } }),
    ...(config.compression !== undefined && { compression: config.compression }),
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

/** The loss as a plan holds it: a bare name when no argument is given, so that both spellings hash alike. */
function canonicalLoss(loss: PlanConfig['loss']): LossRef {
  if (typeof loss === 'string') return loss;
  const params = loss.params ?? {};
  return Object.keys(params).length > 0 ? { name: loss.name, params: { ...params } } : loss.name;
}

/** Wire form of a plan spec: canonical JSON and its SHA-256. */
export function encodePlan(spec: PlanSpec): TrainingPlan__Output {
  const canonical = canonicalJson(spec);
  return { canonicalJson: canonical, sha256: sha256Hex(canonical), kind: PLAN_KIND, name: spec.name };
}

/**
 * The topology without the library version stamps (`keras_version`, `backend`), so that the same
 * model gives the same hash under any tfjs release, and without weight initialisers
 * (`kernel_initializer`, ...): their seeds only decide starting values, which every round overwrites.
 */
function topologyOf(model: tf.LayersModel): Record<string, unknown> {
  const json = model.toJSON(null, false) as unknown as Record<string, unknown>;
  const { keras_version: _version, backend: _backend, ...topology } = json;
  return withoutInitializers(topology) as Record<string, unknown>;
}

function withoutInitializers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutInitializers);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !key.endsWith('_initializer'))
      .map(([key, item]) => [key, withoutInitializers(item)]),
  );
}

function sampleShape(shape: readonly (number | null)[] | undefined, what: string): number[] {
  const dims = (shape ?? []).slice(1);
  if (dims.some((d) => d === null || d <= 0)) {
    throw new TrainingError('INVALID_ARGUMENT', `model ${what} shape [${(shape ?? []).join(',')}] must be fixed after the batch axis`);
  }
  return dims as number[];
}
