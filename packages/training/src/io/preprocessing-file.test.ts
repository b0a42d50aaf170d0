import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { makeTempDir } from '@fedbiomed/test-utils';

import { fileSystemHandler, loadModel, saveModel } from './file-io';
import { PREPROCESSING_FILE, readPreprocessing, type PreprocessingManifest } from './preprocessing-file';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

const predict = (model: tf.LayersModel, x: tf.Tensor): number[] => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));

describe('saveModel with preprocessing / loadModel', () => {
  // A [2, 2] input exercises the flatten / reshape around the standardisation.
  const manifest: PreprocessingManifest = {
    format: 'fedbiomed-preprocessing',
    version: 1,
    inputShape: [2, 2],
    featureCount: 4,
    steps: [{ name: 'standardize', statistics: 'federated', sampleCount: 10, mean: [1, -2, 30, 0.5], scale: [2, 0.25, 10, 1] }],
  };

  it('saves a model that standardises raw inputs itself, for tf.loadLayersModel and loadModel alike, and writes preprocessing.json', async () => {
    const dir = makeTempDir();
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    try {
      await saveModel(model, dir.path, { preprocessing: manifest });
      const raw = tf.tensor3d([[[3, -1.5], [20, 0.5]], [[0, 0], [45, -3]]]);
      const standardized = raw.sub(tf.tensor(manifest.steps[0]!.mean, [2, 2])).div(tf.tensor(manifest.steps[0]!.scale, [2, 2]));
      const expected = predict(model, standardized);
      const plain = await tf.loadLayersModel(fileSystemHandler(dir.path));
      const loaded = await loadModel(dir.path);
      predict(plain, raw).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 6));
      predict(loaded, raw).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 6));
      expect(predict(model, raw)).not.toEqual(expected);
      expect(await readPreprocessing(dir.path)).toEqual(manifest);
    } finally {
      model.dispose();
      dir.dispose();
    }
  });

  it('prepends the preprocessing.json of a folder whose model.json does not carry it', async () => {
    const dir = makeTempDir();
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
    try {
      await saveModel(model, dir.path);
      writeFileSync(join(dir.path, PREPROCESSING_FILE), JSON.stringify(manifest));
      const raw = tf.tensor3d([[[3, -1.5], [20, 0.5]]]);
      const standardized = raw.sub(tf.tensor(manifest.steps[0]!.mean, [2, 2])).div(tf.tensor(manifest.steps[0]!.scale, [2, 2]));
      const [expected] = predict(model, standardized);
      expect(predict(await loadModel(dir.path), raw)[0]).toBeCloseTo(expected!, 6);
    } finally {
      model.dispose();
      dir.dispose();
    }
  });

  it('names the file and the field of a malformed preprocessing.json', async () => {
    const dir = makeTempDir();
    try {
      const bad = { ...manifest, steps: [{ ...manifest.steps[0]!, scale: [1, 1, 0] }] };
      writeFileSync(join(dir.path, PREPROCESSING_FILE), JSON.stringify(bad));
      await expect(readPreprocessing(dir.path)).rejects.toThrow(/preprocessing\.json: field "steps\[0\]\.scale": every scale must be positive, got \[1,1,0\]; field "steps\[0\]\.scale": has 3 values for 4 features/);
    } finally {
      dir.dispose();
    }
  });
});
