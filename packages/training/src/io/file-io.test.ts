import { existsSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { makeTempDir } from '@fedbiomed/test-utils';

import { readWeights } from '../weights';
import { fileSystemHandler, loadModel, saveModel } from './file-io';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

describe('saveModel / loadModel', () => {
  it('writes model.json + weights.bin that tf.loadLayersModel reads back with the same weights and outputs', async () => {
    const dir = makeTempDir();
    try {
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })],
      });
      await saveModel(model, join(dir.path, 'global'));
      expect(existsSync(join(dir.path, 'global', 'model.json'))).toBe(true);
      expect(existsSync(join(dir.path, 'global', 'weights.bin'))).toBe(true);
      const loaded = await tf.loadLayersModel(fileSystemHandler(join(dir.path, 'global')));
      expect(readWeights(loaded)).toEqual(readWeights(model));
      const x = tf.tensor2d([[1, -2, 3]]);
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
      const again = await loadModel(join(dir.path, 'global'));
      expect(again.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dense']);
    } finally {
      dir.dispose();
    }
  });

  it('names the folder when nothing is there', async () => {
    await expect(loadModel('/nonexistent/model')).rejects.toThrow(/\/nonexistent\/model\/model.json/);
  });
});
