import { TrainingError } from '../errors';
import type { LossRef, ResolvedLoss } from '../losses/loss-definition';
import { lossName, resolveLoss } from '../losses/loss-registry';
import type { ClassPredictions, MetricDefinition, SurvivalPredictions, ValuePredictions } from './metric-definition';
import { checkMetricNames, getMetric, LOSS_METRIC } from './metric-registry';
import { concordanceHistogram, type ConcordanceBinning, type ConcordanceHistogram } from './concordance-histogram';
import { scoreHistogram, SCORE_HISTOGRAM_BINS, type ScoreHistogram } from './score-histogram';

/** Model outputs and labels of an evaluation, row-major. */
export interface Predictions {
  /** The plan's loss: it tells how to read outputs (probabilities or logits) and labels (class ids, values, [time, event]). */
  readonly loss: LossRef;
  /** `[n, outputWidth]` model outputs. */
  readonly output: Float32Array;
  readonly outputWidth: number;
  /** `[n, labelWidth]` labels as the dataset yields them (class index, one-hot, value, or time and event). */
  readonly labels: Float32Array;
  readonly labelWidth: number;
}

/**
 * Computes the named metrics from a model's outputs, each given the input its `needs` declares:
 * classification metrics get class labels (argmax, or a 0.5 threshold on one sigmoid output) and
 * probabilities, value metrics get labels and outputs value by value, survival metrics get
 * `[time, event]` labels and the single output as a risk score. `loss` is computed by the caller.
 *
 * @throws TrainingError `UNSUPPORTED` for an unknown metric, `INVALID_ARGUMENT` when the loss or the
 * shapes cannot give a metric what it needs
 */
export function computeMetrics(names: readonly string[], p: Predictions): Record<string, number> {
  checkMetricNames(names);
  const loss = resolveLoss(p.loss);
  const out: Record<string, number> = {};
  let classes: ClassPredictions | undefined;
  for (const name of names) {
    if (name === LOSS_METRIC) continue;
    const metric = getMetric(name);
    out[name] = computeOne(metric, p, () => (classes ??= classPredictions(metric, p, loss)));
  }
  return out;
}

/** The metric whose value can be pooled across nodes from binned scores. */
export const POOLABLE_RANKING_METRIC = 'roc_auc';

/**
 * Score histograms for the named metrics that can be pooled across nodes from binned scores:
 * `roc_auc` of a binary classifier (one sigmoid output, or two classes), binned by the predicted
 * probability of class 1. Empty for other metrics and beyond two classes (a one-vs-rest pooling
 * would need one histogram per class; not offered).
 */
export function computeScoreHistograms(names: readonly string[], p: Predictions, bins: number = SCORE_HISTOGRAM_BINS): Record<string, ScoreHistogram> {
  if (!names.includes(POOLABLE_RANKING_METRIC) || p.outputWidth > 2) return {};
  const { yTrue, probabilities, width } = classPredictions(getMetric(POOLABLE_RANKING_METRIC), p, resolveLoss(p.loss));
  const scores = width === 1 ? probabilities : probabilities.filter((_, i) => i % 2 === 1);
  return { [POOLABLE_RANKING_METRIC]: scoreHistogram(yTrue, scores, bins) };
}

/** The metric whose value can be pooled across nodes from binned survival statistics. */
export const POOLABLE_SURVIVAL_METRIC = 'concordance_index';

/**
 * The {@link ConcordanceHistogram} of the predictions under `binning` when `names` asks for
 * `concordance_index`, undefined otherwise.
 *
 * @throws TrainingError `INVALID_ARGUMENT` when the shapes are not `[time, event]` labels and one
 * risk output, or the binning is unusable
 */
export function computeConcordanceHistogram(names: readonly string[], p: Predictions, binning: ConcordanceBinning): ConcordanceHistogram | undefined {
  if (!names.includes(POOLABLE_SURVIVAL_METRIC)) return undefined;
  const { times, events, risks } = survivalPredictions(getMetric(POOLABLE_SURVIVAL_METRIC), p);
  return concordanceHistogram(times, events, risks, binning);
}

function computeOne(metric: MetricDefinition, p: Predictions, classes: () => ClassPredictions): number {
  switch (metric.needs) {
    case 'classes':
      return metric.compute(classes());
    case 'values':
      return metric.compute(valuePredictions(metric, p));
    case 'survival':
      return metric.compute(survivalPredictions(metric, p));
  }
}

function rows(p: Predictions): number {
  return p.outputWidth ? p.output.length / p.outputWidth : 0;
}

function classPredictions(metric: MetricDefinition, p: Predictions, loss: ResolvedLoss): ClassPredictions {
  const { target } = loss.definition;
  if (target !== 'classes' && target !== 'binary') {
    throw new TrainingError('INVALID_ARGUMENT', `metric "${metric.name}" needs a classification loss; the plan's loss is ${lossName(p.loss)}`);
  }
  const n = rows(p);
  const probabilities = loss.outputs === 'logits' ? toProbabilities(p.output, p.outputWidth, target) : p.output;
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = p.labelWidth === 1 ? Math.round(p.labels[i]!) : argmax(p.labels, i * p.labelWidth, p.labelWidth);
    yPred[i] = p.outputWidth === 1 ? (probabilities[i]! >= 0.5 ? 1 : 0) : argmax(probabilities, i * p.outputWidth, p.outputWidth);
  }
  return { yTrue, yPred, probabilities, width: p.outputWidth };
}

/** Sigmoid of each logit for binary targets, softmax of each row for class targets. */
function toProbabilities(logits: Float32Array, width: number, target: 'classes' | 'binary'): Float32Array {
  if (target === 'binary') return logits.map((x) => 1 / (1 + Math.exp(-x)));
  const out = new Float32Array(logits.length);
  for (let offset = 0; offset < logits.length; offset += width) {
    const row = logits.subarray(offset, offset + width);
    const max = Math.max(...row);
    let sum = 0;
    for (let k = 0; k < width; k++) sum += out[offset + k] = Math.exp(row[k]! - max);
    for (let k = 0; k < width; k++) out[offset + k]! /= sum;
  }
  return out;
}

function valuePredictions(metric: MetricDefinition, p: Predictions): ValuePredictions {
  if (p.labels.length !== p.output.length) {
    throw new TrainingError(
      'INVALID_ARGUMENT',
      `metric "${metric.name}" compares labels with outputs value by value; got ${p.labelWidth} label and ${p.outputWidth} output columns`,
    );
  }
  return { yTrue: p.labels, yPred: p.output };
}

function survivalPredictions(metric: MetricDefinition, p: Predictions): SurvivalPredictions {
  if (p.labelWidth !== 2 || p.outputWidth !== 1) {
    throw new TrainingError(
      'INVALID_ARGUMENT',
      `metric "${metric.name}" needs [time, event] labels and one risk output; got ${p.labelWidth} label and ${p.outputWidth} output columns`,
    );
  }
  return { times: column(p.labels, 2, 0), events: column(p.labels, 2, 1), risks: p.output };
}

function column(values: Float32Array, width: number, c: number): Float32Array {
  const out = new Float32Array(values.length / width);
  for (let i = 0; i < out.length; i++) out[i] = values[i * width + c]!;
  return out;
}

function argmax(values: Float32Array, offset: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (values[offset + k]! > values[offset + best]!) best = k;
  return best;
}
