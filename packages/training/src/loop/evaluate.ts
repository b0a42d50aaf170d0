import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import type { LossRef } from '../losses/loss-definition';
import { resolveLoss } from '../losses/loss-registry';
import { computeConcordanceHistogram, computeMetrics, computeScoreHistograms } from '../metrics/compute-metrics';
import type { ConcordanceBinning, ConcordanceHistogram } from '../metrics/concordance-histogram';
import type { ScoreHistogram } from '../metrics/score-histogram';
import { checkMetricNames, LOSS_METRIC } from '../metrics/metric-registry';
import type { TrainingDataset } from './training-dataset';

/** Metric values on a set of samples, the shape of the proto `MetricSet`. */
export interface MetricSet {
  readonly values: Record<string, number>;
  readonly sampleCount: number;
}

/** {@link MetricSet} plus the binned statistics asked with `scoreHistograms` and `concordanceBinning`. */
export interface Evaluation extends MetricSet {
  /** By metric (`roc_auc`): counts per score bin, for pooling across nodes. Empty unless asked. */
  readonly scoreHistograms: Readonly<Record<string, ScoreHistogram>>;
  /** Counts per cell of `concordanceBinning`, for pooling `concordance_index`; absent unless asked and computed. */
  readonly concordanceHistogram?: ConcordanceHistogram;
}

/** Arguments of {@link evaluateModel}. */
export interface EvaluateOptions {
  readonly model: tf.LayersModel;
  /** The plan's loss. */
  readonly loss: LossRef;
  readonly metrics: readonly string[];
  readonly dataset: TrainingDataset;
  /** Samples to evaluate; all when omitted. */
  readonly indices?: readonly number[];
  /** Default 256. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  /** Also histogram the scores of poolable ranking metrics (`roc_auc`); default false. */
  readonly scoreHistograms?: boolean;
  /** Also count the samples per cell of these bins when `concordance_index` is asked. */
  readonly concordanceBinning?: ConcordanceBinning;
}

/**
 * Evaluates a model on dataset samples in inference mode: `loss` and the named metrics. Outputs are
 * read back once per batch; the loss is the plan's loss on all evaluated samples at once (for
 * `cox_ph`, risk sets span the whole evaluation set), so any label shape the loss accepts works.
 * Every tensor is disposed.
 */
export async function evaluateModel(options: EvaluateOptions): Promise<Evaluation> {
  const names = checkMetricNames(options.metrics);
  const loss = resolveLoss(options.loss);
  const outputs: Float32Array[] = [];
  const labels: Float32Array[] = [];
  let count = 0;
  let outputShape: number[] = [];
  let labelShape: number[] = [];
  const batchSize = options.batchSize ?? 256;
  for (const batch of options.dataset.batches({ indices: options.indices, batchSize })) {
    try {
      throwIfAborted(options.signal);
      const out = tf.tidy(() => options.model.predict(batch.xs) as tf.Tensor);
      try {
        const [o, y] = await Promise.all([out.data(), batch.ys.data()]);
        outputShape = out.shape.slice(1);
        labelShape = batch.ys.shape.slice(1);
        outputs.push(o as Float32Array);
        labels.push(Float32Array.from(y));
        count += batch.xs.shape[0]!;
      } finally {
        out.dispose();
      }
    } finally {
      batch.xs.dispose();
      batch.ys.dispose();
    }
  }
  const values: Record<string, number> = {};
  if (count === 0) return { values, sampleCount: 0, scoreHistograms: {} };
  const output = concat(outputs);
  const label = concat(labels);
  if (names.includes(LOSS_METRIC)) {
    const value = tf.tidy(() => loss.fn(tf.tensor(label, [count, ...labelShape]), tf.tensor(output, [count, ...outputShape])));
    try {
      values[LOSS_METRIC] = (await value.data())[0]!;
    } finally {
      value.dispose();
    }
  }
  const width = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const predictions = { loss: options.loss, output, outputWidth: width(outputShape), labels: label, labelWidth: width(labelShape) };
  Object.assign(values, computeMetrics(names, predictions));
  const scoreHistograms = options.scoreHistograms === true ? computeScoreHistograms(names, predictions) : {};
  const concordanceHistogram = options.concordanceBinning ? computeConcordanceHistogram(names, predictions, options.concordanceBinning) : undefined;
  return { values, sampleCount: count, scoreHistograms, ...(concordanceHistogram ? { concordanceHistogram } : {}) };
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
