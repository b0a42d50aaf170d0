import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import { computeMetrics } from '../metrics/compute-metrics';
import { METRIC_NAMES, type LossName, type MetricName } from '../plan/plan-spec';
import { lossFunction } from './losses';
import type { TrainingDataset } from './training-dataset';

/** Metric values on a set of samples, the shape of the proto `MetricSet`. */
export interface MetricSet {
  readonly values: Record<string, number>;
  readonly sampleCount: number;
}

/** Arguments of {@link evaluateModel}. */
export interface EvaluateOptions {
  readonly model: tf.LayersModel;
  readonly loss: LossName;
  readonly metrics: readonly string[];
  readonly dataset: TrainingDataset;
  /** Samples to evaluate; all when omitted. */
  readonly indices?: readonly number[];
  /** Default 256. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/**
 * Evaluates a model on dataset samples in inference mode: `loss` (mean over samples) and the
 * named metrics. One read back per batch; every tensor is disposed.
 */
export async function evaluateModel(options: EvaluateOptions): Promise<MetricSet> {
  const names = checkMetricNames(options.metrics);
  const lossFn = lossFunction(options.loss);
  const outputs: Float32Array[] = [];
  const labels: Float32Array[] = [];
  let lossSum = 0;
  let count = 0;
  let outputWidth = 0;
  let labelWidth = 0;
  const batchSize = options.batchSize ?? 256;
  for (const batch of options.dataset.batches({ indices: options.indices, batchSize })) {
    try {
      throwIfAborted(options.signal);
      const n = batch.xs.shape[0]!;
      const [out, batchLoss] = tf.tidy(() => {
        const pred = options.model.predict(batch.xs) as tf.Tensor;
        return [pred.reshape([n, -1]), lossFn(batch.ys, pred).mul(n)] as const;
      });
      try {
        const [o, y, l] = await Promise.all([out.data(), batch.ys.data(), batchLoss.data()]);
        outputWidth = out.shape[1]!;
        labelWidth = n ? y.length / n : labelWidth;
        outputs.push(o as Float32Array);
        labels.push(Float32Array.from(y));
        lossSum += l[0]!;
        count += n;
      } finally {
        out.dispose();
        batchLoss.dispose();
      }
    } finally {
      batch.xs.dispose();
      batch.ys.dispose();
    }
  }
  const values: Record<string, number> = {};
  if (count === 0) return { values, sampleCount: 0 };
  if (names.includes('loss')) values['loss'] = lossSum / count;
  Object.assign(
    values,
    computeMetrics(names, {
      loss: options.loss,
      output: concat(outputs),
      outputWidth,
      labels: concat(labels),
      labelWidth,
    }),
  );
  return { values, sampleCount: count };
}

/** Checks metric names against {@link METRIC_NAMES}. */
export function checkMetricNames(names: readonly string[]): MetricName[] {
  for (const name of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(name)) {
      throw new TrainingError('UNSUPPORTED', `metric "${name}" is not one of ${METRIC_NAMES.join(', ')}`);
    }
  }
  return names as MetricName[];
}

/** Throws the package's ABORTED error when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new TrainingError('ABORTED', `training aborted: ${String(signal.reason ?? 'signal fired')}`, { cause: signal.reason });
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
