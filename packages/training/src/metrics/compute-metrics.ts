import { TrainingError } from '../errors';
import type { LossName, MetricName } from '../plan/plan-spec';
import { accuracy, balancedAccuracy, f1, precision, recall, rocAuc, rocAucOvr } from './classification';
import { explainedVariance, meanAbsoluteError, meanSquaredError, r2 } from './regression';
import { concordanceIndex } from './survival';

/** Model outputs and labels of an evaluation, row-major. */
export interface Predictions {
  readonly loss: LossName;
  /** `[n, outputWidth]` model outputs (probabilities for classification). */
  readonly output: Float32Array;
  readonly outputWidth: number;
  /** `[n, labelWidth]` labels as the dataset yields them (class index, one-hot, value, or time and event). */
  readonly labels: Float32Array;
  readonly labelWidth: number;
}

/**
 * Computes the named metrics from a model's outputs. Classification losses give class labels
 * (argmax, or a 0.5 threshold for one sigmoid output) and scores; `concordance_index` reads labels
 * as `[time, event]` pairs and the single output as a risk score. `loss` is computed by the caller.
 */
export function computeMetrics(names: readonly MetricName[], p: Predictions): Record<string, number> {
  const n = p.outputWidth ? p.output.length / p.outputWidth : 0;
  const out: Record<string, number> = {};
  const classes = classificationView(p, n);
  for (const name of names) {
    if (name === 'loss') continue;
    if (name === 'concordance_index') {
      out[name] = survival(p, n);
      continue;
    }
    const regression = REGRESSION[name as keyof typeof REGRESSION];
    if (regression) {
      out[name] = regression(p.labels, p.output);
      continue;
    }
    if (!classes) {
      throw new TrainingError('INVALID_ARGUMENT', `metric "${name}" needs a classification loss; the plan's loss is ${p.loss}`);
    }
    out[name] = classification(name, classes);
  }
  return out;
}

const REGRESSION = {
  mse: meanSquaredError,
  mae: meanAbsoluteError,
  r2,
  explained_variance: explainedVariance,
} as const;

interface ClassView {
  readonly yTrue: Int32Array;
  readonly yPred: Int32Array;
  readonly probabilities: Float32Array;
  readonly width: number;
}

function classificationView(p: Predictions, n: number): ClassView | undefined {
  if (!p.loss.endsWith('crossentropy')) return undefined;
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = p.labelWidth === 1 ? Math.round(p.labels[i]!) : argmax(p.labels, i * p.labelWidth, p.labelWidth);
    yPred[i] = p.outputWidth === 1 ? (p.output[i]! >= 0.5 ? 1 : 0) : argmax(p.output, i * p.outputWidth, p.outputWidth);
  }
  return { yTrue, yPred, probabilities: p.output, width: p.outputWidth };
}

function classification(name: MetricName, v: ClassView): number {
  switch (name) {
    case 'accuracy':
      return accuracy(v.yTrue, v.yPred);
    case 'balanced_accuracy':
      return balancedAccuracy(v.yTrue, v.yPred);
    case 'precision':
      return precision(v.yTrue, v.yPred, 'binary');
    case 'recall':
      return recall(v.yTrue, v.yPred, 'binary');
    case 'f1':
      return f1(v.yTrue, v.yPred, 'binary');
    case 'precision_macro':
      return precision(v.yTrue, v.yPred, 'macro');
    case 'recall_macro':
      return recall(v.yTrue, v.yPred, 'macro');
    case 'f1_macro':
      return f1(v.yTrue, v.yPred, 'macro');
    case 'precision_weighted':
      return precision(v.yTrue, v.yPred, 'weighted');
    case 'recall_weighted':
      return recall(v.yTrue, v.yPred, 'weighted');
    case 'f1_weighted':
      return f1(v.yTrue, v.yPred, 'weighted');
    case 'roc_auc':
      if (v.width === 1) return rocAuc(v.yTrue, v.probabilities);
      if (v.width === 2) return rocAuc(v.yTrue, column(v.probabilities, 2, 1));
      return rocAucOvr(v.yTrue, v.probabilities, v.width);
    default:
      throw new TrainingError('UNSUPPORTED', `metric "${name}" is not a classification metric`);
  }
}

function survival(p: Predictions, n: number): number {
  if (p.labelWidth !== 2 || p.outputWidth !== 1) {
    throw new TrainingError(
      'INVALID_ARGUMENT',
      `concordance_index needs [time, event] labels and one risk output; got ${p.labelWidth} label and ${p.outputWidth} output columns`,
    );
  }
  return concordanceIndex(column(p.labels, 2, 0), column(p.labels, 2, 1), p.output.subarray(0, n));
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
