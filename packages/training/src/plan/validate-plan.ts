import * as tf from '@tensorflow/tfjs';
import { describeTarget, describeZodIssues, type DatasetTarget } from '@fedbiomed/datasets';
import type { TrainingPlan } from '@fedbiomed/proto';

import { TrainingError } from '../errors';
import type { LossTarget } from '../losses/loss-definition';
import { getLoss, lossName, lossNames } from '../losses/loss-registry';
import { getMetric, LOSS_METRIC } from '../metrics/metric-registry';
import { canonicalJson, sha256Hex } from './canonical-json';
import { checkPlanPlugins, checkPluginsInstalled, isAllowedClass } from './plan-plugins';
import { PLAN_KIND, planSpecSchema, type PlanSpec } from './plan-spec';

/** What a node knows of the dataset a plan would train on. */
export interface DatasetShape {
  /** Shape of one sample's features. */
  readonly featureShape: readonly number[];
  /** Number of classes; 0 for regression or unknown. */
  readonly numClasses?: number;
  /** What the labels are; unknown (not checked) when absent. */
  readonly target?: DatasetTarget;
}

/** Options of {@link validatePlan}. */
export interface ValidatePlanOptions {
  /** When given, the model's input and output shapes must fit it. */
  readonly dataset?: DatasetShape;
}

/** A plan whose hash, form and content were checked. */
export interface ValidatedPlan {
  readonly sha256: string;
  readonly spec: PlanSpec;
}

/** Topology keys whose string values name a registered tfjs function (activations). */
const FUNCTION_KEYS = new Set(['activation', 'recurrent_activation']);

/**
 * Checks a plan received from the wire before anyone approves or runs it: supported kind, hash
 * equal to the SHA-256 of the canonical JSON, every plug-in it lists loaded here at that version,
 * JSON in canonical form and of the known layout, only classes built into tfjs or provided by a
 * plug-in the plan lists, and, when a dataset is given, input and
 * output shapes that fit it. Throws a {@link TrainingError} naming the first fault.
 */
export function validatePlan(plan: TrainingPlan, options: ValidatePlanOptions = {}): ValidatedPlan {
  const { canonicalJson: text = '', sha256 = '', kind = '', name = '' } = plan;
  if (kind !== PLAN_KIND) {
    throw new TrainingError('UNSUPPORTED_KIND', `plan "${name}" is of kind "${kind}"; this node runs "${PLAN_KIND}" plans`);
  }
  const actual = sha256Hex(text);
  if (actual !== sha256) {
    throw new TrainingError('HASH_MISMATCH', `plan "${name}" announces sha256 ${sha256 || '(empty)'} but its JSON hashes to ${actual}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new TrainingError('MALFORMED_PLAN', `plan "${name}" is not JSON: ${(cause as Error).message}`, { cause });
  }
  checkPluginsInstalled(name, raw);
  const parsed = planSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TrainingError('MALFORMED_PLAN', `plan "${name}": ${describeZodIssues(parsed.error.issues, raw).join('; ')}`);
  }
  const spec = parsed.data;
  if (canonicalJson(raw) !== text) {
    throw new TrainingError('MALFORMED_PLAN', `plan "${name}" is not in canonical form (sorted keys, no white space)`);
  }
  if (spec.name !== name) {
    throw new TrainingError('MALFORMED_PLAN', `plan is announced as "${name}" but its JSON names it "${spec.name}"`);
  }
  const pluginLayers = checkPlanPlugins(name, { ...spec, lossName: lossName(spec.loss) });
  checkClasses(spec.modelTopology, 'modelTopology', pluginLayers);
  if (options.dataset) checkPlanFitsDataset(spec, options.dataset);
  return { sha256, spec };
}

/** Refuses a plan whose input or output shape does not fit a dataset. */
export function checkPlanFitsDataset(spec: PlanSpec, dataset: DatasetShape): void {
  const want = dataset.featureShape.join(',');
  if (spec.inputShape.join(',') !== want) {
    throw new TrainingError(
      'SHAPE_MISMATCH',
      `plan "${spec.name}" expects input [${spec.inputShape.join(',')}] but the dataset's samples are [${want}]`,
    );
  }
  const classes = dataset.numClasses ?? 0;
  const units = spec.outputShape.reduce((a, b) => a * b, 1);
  const { target } = getLoss(lossName(spec.loss));
  if (dataset.target !== undefined) checkTargetFits(spec, target, dataset.target, classes);
  if (dataset.target?.kind === 'mask' && spec.outputShape.join(',') !== dataset.target.shape.join(',')) {
    throw new TrainingError(
      'SHAPE_MISMATCH',
      `plan "${spec.name}" outputs [${spec.outputShape.join(', ')}] but the dataset's labels are masks [${dataset.target.shape.join(', ')}]: a segmentation model outputs one value per mask voxel`,
    );
  }
  if (target === 'survival' && units !== 1) {
    throw new TrainingError('SHAPE_MISMATCH', `plan "${spec.name}" outputs ${units} values with ${lossName(spec.loss)}, which takes one risk score per sample`);
  }
  if ((target === 'classes' || target === 'binary') && classes > 0) {
    const expected = target === 'binary' ? (classes <= 2 ? 1 : classes) : classes;
    if (units !== expected) {
      throw new TrainingError(
        'SHAPE_MISMATCH',
        `plan "${spec.name}" outputs ${units} values with ${lossName(spec.loss)} but the dataset has ${classes} classes (expected ${expected} outputs)`,
      );
    }
  }
}

/** The losses registered for a label kind, for messages: `cox_ph`. */
function lossesFor(target: LossTarget): string {
  return lossNames().filter((name) => getLoss(name).target === target).join(', ');
}

/**
 * Refuses a loss or a metric that reads labels of another kind than the dataset's: a survival loss
 * or metric needs `[time, event]` labels, and `[time, event]` labels fit only a survival loss; a
 * class loss needs class ids.
 */
function checkTargetFits(spec: PlanSpec, loss: LossTarget, target: DatasetTarget, classes: number): void {
  const name = lossName(spec.loss);
  const labels = describeTarget(target, classes);
  const refuse = (why: string): never => {
    throw new TrainingError('TARGET_MISMATCH', `plan "${spec.name}" does not fit the dataset: ${why}`);
  };
  if (loss === 'survival' && target.kind !== 'survival') {
    refuse(`${name} is a survival loss, which reads [time, event] labels, but the dataset's labels are ${labels}; register the data with a survival target (CSV option "survival": {"time", "event"}) or choose a loss for ${target.kind}`);
  }
  if (target.kind === 'survival' && loss !== 'survival') {
    refuse(`the dataset's labels are ${labels}, which only a survival loss (${lossesFor('survival')}) reads, but the plan's loss ${name} expects ${loss}`);
  }
  if (loss === 'classes' && target.kind !== 'classes') {
    refuse(`${name} reads class ids, but the dataset's labels are ${labels}`);
  }
  const survivalMetric = spec.metrics.find((metric) => metric !== LOSS_METRIC && getMetric(metric).needs === 'survival');
  if (survivalMetric !== undefined && target.kind !== 'survival') {
    refuse(`metric ${survivalMetric} needs [time, event] labels, but the dataset's labels are ${labels}`);
  }
}

function checkClasses(value: unknown, path: string, pluginLayers: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkClasses(item, `${path}[${i}]`, pluginLayers));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const registry = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const allowed = key === 'class_name' ? isAllowedClass : (name: string) => !FUNCTION_KEYS.has(key) || Object.hasOwn(registry, name);
    if (typeof item === 'string' && !allowed(item, pluginLayers)) {
      throw new TrainingError(
        'UNKNOWN_CLASS',
        `${path}.${key} is "${item}", not a class built into tfjs; plans may not carry custom layers or objects other than the layers of plug-ins they list`,
      );
    }
    checkClasses(item, `${path}.${key}`, pluginLayers);
  }
}
