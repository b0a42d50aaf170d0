import { checkLengths, type Labels } from './classification';

/** Mean squared error. */
export function meanSquaredError(yTrue: Labels, yPred: Labels): number {
  checkLengths(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i]! - yPred[i]!) ** 2;
  return yTrue.length ? s / yTrue.length : 0;
}

/** Mean absolute error. */
export function meanAbsoluteError(yTrue: Labels, yPred: Labels): number {
  checkLengths(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return yTrue.length ? s / yTrue.length : 0;
}

/** Coefficient of determination (scikit-learn `r2_score`: 1 or 0 when the labels are constant). */
export function r2(yTrue: Labels, yPred: Labels): number {
  checkLengths(yTrue, yPred);
  const m = mean(yTrue);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    ssRes += (yTrue[i]! - yPred[i]!) ** 2;
    ssTot += (yTrue[i]! - m) ** 2;
  }
  return finiteRatio(ssRes, ssTot);
}

/** Explained variance (scikit-learn `explained_variance_score`). */
export function explainedVariance(yTrue: Labels, yPred: Labels): number {
  checkLengths(yTrue, yPred);
  const residual = Array.from(yTrue, (y, i) => y - yPred[i]!);
  return finiteRatio(variance(residual), variance(yTrue));
}

function finiteRatio(numerator: number, denominator: number): number {
  if (denominator === 0) return numerator === 0 ? 1 : 0;
  return 1 - numerator / denominator;
}

function mean(values: Labels): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : 0;
}

function variance(values: Labels): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i]! - m) ** 2;
  return values.length ? s / values.length : 0;
}
