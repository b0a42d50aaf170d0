import { describeZodIssues } from '@fedbiomed/datasets';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { TrainingError } from '../errors';

/** The file beside `model.json` that describes the preprocessing an exported model applies. */
export const PREPROCESSING_FILE = 'preprocessing.json';
/** Version of {@link PREPROCESSING_FILE}'s layout; bumped on any incompatible change. */
export const PREPROCESSING_FORMAT_VERSION = 1;
/** Name of the layer that standardises raw inputs at the head of an exported model. */
export const STANDARDIZE_LAYER_NAME = 'fedbiomed_standardize';

const numbers = z.array(z.number().finite());

/** A `standardize` step: each raw feature `x[j]` becomes `(x[j] - mean[j]) / scale[j]`. */
const standardizeStepSchema = z.strictObject({
  name: z.literal('standardize'),
  /**
   * One standardisation shared by every node: `federated` (gathered before the first round) or
   * `global` (held by the plan, part of its approval), never each node's own.
   */
  statistics: z.enum(['federated', 'global']),
  /** SHA-256 of the analytics query that computed global statistics. */
  query: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Number of rows, over all nodes, the statistics were pooled from (not an integer under DP noise). */
  sampleCount: z.number().positive(),
  mean: numbers,
  scale: numbers.refine((scale) => scale.every((s) => s > 0), 'every scale must be positive'),
});

/** Layout of {@link PREPROCESSING_FILE}. */
export const preprocessingManifestSchema = z
  .strictObject({
    format: z.literal('fedbiomed-preprocessing'),
    version: z.literal(PREPROCESSING_FORMAT_VERSION),
    /** Shape of one raw sample, as the model's input takes it. */
    inputShape: z.array(z.number().int().positive()).min(1),
    /** Product of `inputShape`: the length of each step's arrays, in the row-major order of the features. */
    featureCount: z.number().int().positive(),
    /** Applied in order to a raw sample before the model sees it. */
    steps: z.array(standardizeStepSchema),
  })
  .superRefine((manifest, ctx) => {
    const count = manifest.inputShape.reduce((a, b) => a * b, 1);
    if (count !== manifest.featureCount) ctx.addIssue({ code: 'custom', path: ['featureCount'], message: `is ${manifest.featureCount}, inputShape holds ${count}` });
    manifest.steps.forEach((step, i) => {
      for (const key of ['mean', 'scale'] as const) {
        if (step[key].length !== manifest.featureCount) {
          ctx.addIssue({ code: 'custom', path: ['steps', i, key], message: `has ${step[key].length} values for ${manifest.featureCount} features` });
        }
      }
    });
  });

/** What {@link PREPROCESSING_FILE} holds. */
export type PreprocessingManifest = z.infer<typeof preprocessingManifestSchema>;

/** Checks a manifest, throwing a {@link TrainingError} (`INVALID_ARGUMENT`) that names the faulty field and `where`. */
export function checkPreprocessingManifest(value: unknown, where: string): PreprocessingManifest {
  const parsed = preprocessingManifestSchema.safeParse(value);
  if (!parsed.success) throw new TrainingError('INVALID_ARGUMENT', `${where}: ${describeZodIssues(parsed.error.issues, value).join('; ')}`);
  return parsed.data;
}

/** Writes `<dir>/preprocessing.json` (pretty-printed: it is read by people too). */
export async function writePreprocessing(dir: string, manifest: PreprocessingManifest): Promise<void> {
  const path = join(dir, PREPROCESSING_FILE);
  try {
    await writeFile(path, `${JSON.stringify(checkPreprocessingManifest(manifest, path), null, 2)}\n`);
  } catch (cause) {
    if (cause instanceof TrainingError) throw cause;
    throw new TrainingError('IO', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Reads `<dir>/preprocessing.json`; `undefined` when the folder has none. */
export async function readPreprocessing(dir: string): Promise<PreprocessingManifest | undefined> {
  const path = join(dir, PREPROCESSING_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TrainingError('IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TrainingError('IO', `${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  return checkPreprocessingManifest(json, path);
}

/**
 * A model that takes raw samples: the manifest's steps as frozen tfjs layers, then `model`. A
 * standardisation is a batch-normalisation layer in inference form (moving mean = mean, moving
 * variance 1, epsilon 0, gamma = 1 / scale), over the flattened features when the input has more
 * than one axis, so any tfjs user loads it with `tf.loadLayersModel` and nothing else. The result
 * shares `model`'s layers: dispose one or the other, not both.
 */
export function withPreprocessing(model: tf.LayersModel, manifest: PreprocessingManifest): tf.LayersModel {
  const input = tf.input({ shape: manifest.inputShape });
  let features: tf.SymbolicTensor = input;
  const flat = manifest.inputShape.length > 1;
  if (flat) features = tf.layers.flatten().apply(features) as tf.SymbolicTensor;
  const layers: { layer: tf.layers.Layer; step: PreprocessingManifest['steps'][number] }[] = [];
  manifest.steps.forEach((step, i) => {
    const layer = tf.layers.batchNormalization({
      axis: -1,
      center: false,
      scale: true,
      epsilon: 0,
      trainable: false,
      name: i === 0 ? STANDARDIZE_LAYER_NAME : `${STANDARDIZE_LAYER_NAME}_${i}`,
    });
    features = layer.apply(features) as tf.SymbolicTensor;
    layers.push({ layer, step });
  });
  if (flat) features = tf.layers.reshape({ targetShape: manifest.inputShape }).apply(features) as tf.SymbolicTensor;
  const output = model.apply(features) as tf.SymbolicTensor;
  const combined = tf.model({ inputs: input, outputs: output, name: `${model.name}_with_preprocessing` });
  for (const { layer, step } of layers) {
    const values = [tf.tensor1d(step.scale.map((s) => 1 / s)), tf.tensor1d(step.mean), tf.ones([manifest.featureCount])];
    layer.setWeights(values);
    tf.dispose(values);
  }
  return combined;
}

/** Whether `model` already starts with the standardisation layer {@link withPreprocessing} adds. */
export function carriesPreprocessing(model: tf.LayersModel): boolean {
  return model.layers.some((layer) => layer.name === STANDARDIZE_LAYER_NAME);
}
