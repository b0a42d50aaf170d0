import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import { carriesPreprocessing, readPreprocessing, withPreprocessing, writePreprocessing, type PreprocessingManifest } from './preprocessing-file';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/**
 * A `tf.io` handler that saves to and loads from a folder with node:fs, in the standard tfjs
 * layout (`model.json` + `weights.bin`) that `tf.loadLayersModel` and the tfjs converters read.
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new TrainingError('IO', `cannot save a binary model topology to ${dir}; only layers models are supported`);
      }
      const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.format ? { format: artifacts.format } : {}),
        ...(artifacts.generatedBy ? { generatedBy: artifacts.generatedBy } : {}),
        ...(artifacts.convertedBy ? { convertedBy: artifacts.convertedBy } : {}),
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      };
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, WEIGHTS_FILE), Buffer.from(weightData));
        await writeFile(join(dir, MODEL_FILE), JSON.stringify(modelJson));
      } catch (cause) {
        throw new TrainingError('IO', `cannot write the model to ${dir}: ${(cause as Error).message}`, { cause });
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: async () => {
      const path = join(dir, MODEL_FILE);
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
      } catch (cause) {
        throw new TrainingError('IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: Buffer[] = [];
        for (const group of manifest) {
          for (const file of group.paths) {
            const weightsPath = join(dir, file);
            try {
              buffers.push(await readFile(weightsPath));
            } catch (cause) {
              throw new TrainingError('IO', `cannot read ${weightsPath}: ${(cause as Error).message}`, { cause });
            }
          }
        }
        const joined = Buffer.concat(buffers);
        return [manifest.flatMap((g) => g.weights), joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength)];
      });
    },
  };
}

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /**
   * Preprocessing the model expects on its inputs: it is prepended to the saved model as frozen
   * layers (so `model.json` takes raw samples) and written to `preprocessing.json` beside it.
   */
  readonly preprocessing?: PreprocessingManifest;
}

/**
 * Saves a model as `<dir>/model.json` + `<dir>/weights.bin`, with its preprocessing prepended and
 * described in `<dir>/preprocessing.json` when `options.preprocessing` is given.
 */
export async function saveModel(model: tf.LayersModel, dir: string, options: SaveModelOptions = {}): Promise<void> {
  const { preprocessing } = options;
  if (preprocessing === undefined) {
    await model.save(fileSystemHandler(dir));
    return;
  }
  const combined = withPreprocessing(model, preprocessing);
  try {
    await combined.save(fileSystemHandler(dir));
    await writePreprocessing(dir, preprocessing);
  } finally {
    // The combined model shares `model`'s layers, which stay the caller's: free only the added ones.
    const own = new Set(model.layers);
    for (const layer of combined.layers) if (!own.has(layer) && layer !== model) layer.dispose();
  }
}

/**
 * Loads a model saved by {@link saveModel} (or any tfjs layers model folder with local weight
 * files). The model takes raw samples: when `<dir>/preprocessing.json` describes preprocessing the
 * saved model does not carry as layers (a folder written by another tool), it is prepended here.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const model = await tf.loadLayersModel(fileSystemHandler(dir));
  const preprocessing = await readPreprocessing(dir);
  if (preprocessing === undefined || preprocessing.steps.length === 0 || carriesPreprocessing(model)) return model;
  return withPreprocessing(model, preprocessing);
}
