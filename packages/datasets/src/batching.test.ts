import * as tf from '@tensorflow/tfjs';
import { ArrayDataset } from './array-dataset';
import { forEachBatch } from './batching';
import { DatasetErrorCode } from './errors';

/** 10 samples of 2×2 features; sample i holds i everywhere, label i % 3. */
function toyDataset(): ArrayDataset {
  return new ArrayDataset({
    metadata: { dataType: 'toy', featureShape: [2, 2], labelShape: [1], numClasses: 3, dtypes: { features: 'float32', labels: 'int32' } },
    features: Float32Array.from({ length: 40 }, (_, i) => Math.floor(i / 4)),
    labels: Float32Array.from({ length: 10 }, (_, i) => i % 3),
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batches', () => {
  it('cuts the given indices into tensors of [size, ...featureShape], keeping the last partial batch', () => {
    const dataset = toyDataset();
    const batches = [...dataset.batches({ indices: [9, 1, 4, 7, 2], batchSize: 2 })];
    expect(batches.map((b) => b.size)).toEqual([2, 2, 1]);
    expect(batches[0]?.xs.shape).toEqual([2, 2, 2]);
    expect(Array.from(batches[0]?.xs.dataSync() ?? [])).toEqual([9, 9, 9, 9, 1, 1, 1, 1]);
    expect(Array.from(batches[2]?.ys.dataSync() ?? [])).toEqual([2]);
    batches.forEach((b) => tf.dispose([b.xs, b.ys]));
  });

  it('drops the remainder and one-hot encodes labels on request', () => {
    const dataset = toyDataset();
    const batches = [...dataset.batches({ batchSize: 4, dropRemainder: true, oneHotLabels: true })];
    expect(batches).toHaveLength(2);
    expect(batches[0]?.ys.shape).toEqual([4, 3]);
    expect(Array.from(batches[0]?.ys.dataSync() ?? []).slice(0, 6)).toEqual([1, 0, 0, 0, 1, 0]);
    batches.forEach((b) => tf.dispose([b.xs, b.ys]));
  });

  it('shuffles deterministically by seed and differently across seeds', () => {
    const dataset = toyDataset();
    const order = (seed: number) => [...dataset.batches({ batchSize: 10, shuffleSeed: seed })].flatMap((b) => (b.xs.dispose(), b.ys.dispose(), [...b.indices]));
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
    expect([...order(1)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps tf.memory().numTensors constant over 100 epochs with forEachBatch', async () => {
    const dataset = toyDataset();
    const before = tf.memory().numTensors;
    let seen = 0;
    for (let epoch = 0; epoch < 100; epoch++) {
      await forEachBatch(dataset, { batchSize: 3, shuffleSeed: epoch }, (batch) => {
        seen += batch.size;
        tf.tidy(() => {
          batch.xs.mean().add(batch.ys.sum());
        });
      });
    }
    expect(seen).toBe(1000);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes the batch when the callback throws', async () => {
    const dataset = toyDataset();
    const before = tf.memory().numTensors;
    await expect(forEachBatch(dataset, { batchSize: 5 }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects out-of-range indices, bad batch sizes and one-hot regression labels before making tensors', () => {
    const dataset = toyDataset();
    const before = tf.memory().numTensors;
    expect(() => [...dataset.batches({ indices: [0, 10], batchSize: 2 })]).toThrow(expect.objectContaining({ code: DatasetErrorCode.INDEX_OUT_OF_RANGE }));
    expect(() => [...dataset.batches({ batchSize: 0 })]).toThrow(expect.objectContaining({ code: DatasetErrorCode.INVALID_OPTION }));
    const regression = new ArrayDataset({
      metadata: { ...dataset.metadata, numClasses: 0 },
      features: new Float32Array(4),
      labels: new Float32Array(1),
    });
    expect(() => [...regression.batches({ batchSize: 1, oneHotLabels: true })]).toThrow(expect.objectContaining({ code: DatasetErrorCode.INVALID_OPTION }));
    expect(tf.memory().numTensors).toBe(before);
  });
});
