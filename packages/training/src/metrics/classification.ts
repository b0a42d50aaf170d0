import { TrainingError } from '../errors';

/** Integer class labels or scores, one per sample. */
export type Labels = ArrayLike<number>;

/** Averaging of per-class scores, as scikit-learn's `average` argument. */
export type Average = 'binary' | 'macro' | 'weighted';

/** Fraction of samples whose predicted class equals the true class. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkLengths(yTrue, yPred);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return yTrue.length ? hits / yTrue.length : 0;
}

/** Mean recall over the classes present in `yTrue` (scikit-learn `balanced_accuracy_score`). */
export function balancedAccuracy(yTrue: Labels, yPred: Labels): number {
  const { classes, tp, support } = confusion(yTrue, yPred);
  const recalls = classes.map((_, k) => (support[k]! > 0 ? tp[k]! / support[k]! : Number.NaN)).filter((r) => !Number.isNaN(r));
  return recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : 0;
}

/** Precision (scikit-learn `precision_score`, `zero_division=0`; `binary` scores class 1). */
export function precision(yTrue: Labels, yPred: Labels, average: Average = 'binary'): number {
  return prf(yTrue, yPred, average).precision;
}

/** Recall (scikit-learn `recall_score`, `zero_division=0`). */
export function recall(yTrue: Labels, yPred: Labels, average: Average = 'binary'): number {
  return prf(yTrue, yPred, average).recall;
}

/** F1 score (scikit-learn `f1_score`, `zero_division=0`). */
export function f1(yTrue: Labels, yPred: Labels, average: Average = 'binary'): number {
  return prf(yTrue, yPred, average).f1;
}

/**
 * Area under the ROC curve of binary labels (1 positive) against scores, ties counted half
 * (the Mann-Whitney statistic, equal to scikit-learn `roc_auc_score`); NaN when only one class is present.
 */
export function rocAuc(yTrue: Labels, scores: Labels): number {
  checkLengths(yTrue, scores);
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (yTrue[order[k]!] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  // Undefined with one class (scikit-learn raises); NaN lets the other metrics of a small split through.
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * One-vs-rest ROC AUC averaged over classes (scikit-learn `roc_auc_score(multi_class='ovr',
 * average='macro')`); `probabilities` is row-major `[n, classes]`.
 */
export function rocAucOvr(yTrue: Labels, probabilities: Labels, classes: number): number {
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const labels = Array.from(yTrue, (y) => (y === c ? 1 : 0));
    const scores = Array.from({ length: yTrue.length }, (_, i) => probabilities[i * classes + c]!);
    sum += rocAuc(labels, scores);
  }
  return sum / classes;
}

function prf(yTrue: Labels, yPred: Labels, average: Average): { precision: number; recall: number; f1: number } {
  const { classes, tp, predicted, support } = confusion(yTrue, yPred);
  const per = classes.map((_, k) => {
    const p = predicted[k]! > 0 ? tp[k]! / predicted[k]! : 0;
    const r = support[k]! > 0 ? tp[k]! / support[k]! : 0;
    return { precision: p, recall: r, f1: p + r > 0 ? (2 * p * r) / (p + r) : 0 };
  });
  if (average === 'binary') {
    const k = classes.indexOf(1);
    if (classes.some((c) => c !== 0 && c !== 1)) {
      throw new TrainingError('INVALID_ARGUMENT', `binary average needs labels 0/1, got classes ${classes.join(',')}; use macro or weighted`);
    }
    return k < 0 ? { precision: 0, recall: 0, f1: 0 } : per[k]!;
  }
  const total = support.reduce((a, b) => a + b, 0);
  const weights = classes.map((_, k) => (average === 'macro' ? 1 / classes.length : total ? support[k]! / total : 0));
  const mean = (key: 'precision' | 'recall' | 'f1') => per.reduce((s, v, k) => s + v[key] * weights[k]!, 0);
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
}

/** Per-class true positives, predicted and true counts over the sorted union of labels. */
function confusion(yTrue: Labels, yPred: Labels): { classes: number[]; tp: number[]; predicted: number[]; support: number[] } {
  checkLengths(yTrue, yPred);
  const classes = [...new Set([...Array.from(yTrue), ...Array.from(yPred)])].sort((a, b) => a - b);
  const index = new Map(classes.map((c, k) => [c, k]));
  const tp = classes.map(() => 0);
  const predicted = classes.map(() => 0);
  const support = classes.map(() => 0);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!)!;
    const p = index.get(yPred[i]!)!;
    support[t]!++;
    predicted[p]!++;
    if (t === p) tp[t]!++;
  }
  return { classes, tp, predicted, support };
}

/** Throws when two per-sample arrays differ in length. */
export function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new TrainingError('INVALID_ARGUMENT', `labels hold ${a.length} samples but predictions hold ${b.length}`);
  }
}
