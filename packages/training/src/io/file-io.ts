import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';

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

/** Saves a model as `<dir>/model.json` + `<dir>/weights.bin`. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(fileSystemHandler(dir));
}

/** Loads a model saved by {@link saveModel} (or any tfjs layers model folder with local weight files). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileSystemHandler(dir));
}
