/**
 * Test support only (not exported, not shipped): WDBC parsed minimally into a dataset with the
 * shape of `@fedbiomed/datasets`' `Dataset`, features standardised with the train split's statistics.
 */
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs';
import { sharedDataset } from '@fedbiomed/test-utils';

import type { TrainingDataset } from '../loop/training-dataset';

/** A dataset over in-memory rows; `labels` holds one value per sample. */
export function arrayDataset(features: Float32Array[], labels: number[], numClasses: number): TrainingDataset {
  const width = features[0]?.length ?? 0;
  return {
    size: features.length,
    metadata: { featureShape: [width], numClasses },
    *batches({ indices, batchSize, shuffleSeed }) {
      const order = [...(indices ?? features.map((_, i) => i))];
      if (shuffleSeed !== undefined) shuffle(order, shuffleSeed);
      for (let start = 0; start < order.length; start += batchSize) {
        const rows = order.slice(start, start + batchSize);
        const x = new Float32Array(rows.length * width);
        rows.forEach((r, k) => x.set(features[r]!, k * width));
        yield {
          xs: tf.tensor2d(x, [rows.length, width]),
          ys: tf.tensor2d(Float32Array.from(rows, (r) => labels[r]!), [rows.length, 1]),
        };
      }
    },
  };
}

/** WDBC with a fixed 80/20 split; label 1 = benign. */
export function loadWdbc(): { dataset: TrainingDataset; train: number[]; test: number[] } {
  const lines = readFileSync(sharedDataset('breast_cancer_wisconsin', 'breast_cancer.csv'), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((line) => line.split(',').map(Number));
  const order = rows.map((_, i) => i);
  shuffle(order, 7);
  const cut = Math.round(rows.length * 0.8);
  const train = order.slice(0, cut);
  const test = order.slice(cut);
  const width = rows[0]!.length - 1;
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  for (const i of train) rows[i]!.slice(0, width).forEach((v, j) => (mean[j] = mean[j]! + v / train.length));
  for (const i of train) rows[i]!.slice(0, width).forEach((v, j) => (std[j] = std[j]! + (v - mean[j]!) ** 2 / train.length));
  const features = rows.map((r) => Float32Array.from(r.slice(0, width), (v, j) => (v - mean[j]!) / Math.sqrt(std[j]! || 1)));
  return { dataset: arrayDataset(features, rows.map((r) => r[width]!), 2), train, test };
}

function shuffle(values: number[], seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = values.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
}
