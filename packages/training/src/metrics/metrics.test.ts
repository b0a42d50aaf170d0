import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { accuracy, balancedAccuracy, f1, precision, recall, rocAuc, rocAucOvr } from './classification';
import { computeMetrics } from './compute-metrics';
import { explainedVariance, meanAbsoluteError, meanSquaredError, r2 } from './regression';
import { concordanceIndex } from './survival';
import type { MetricName } from '../plan/plan-spec';

interface Case {
  name: string;
  kind: 'classification' | 'labels' | 'regression' | 'survival';
  classes?: number;
  yTrue?: number[];
  yPred?: number[];
  probabilities?: number[];
  scores?: number[];
  times?: number[];
  events?: number[];
  risks?: number[];
  expected: Record<string, number>;
}

// Values computed once by scikit-learn (tools/training/sklearn-metric-fixtures.py).
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'sklearn-metrics.json'), 'utf8')) as { cases: Case[] };
const byName = (name: string): Case => fixture.cases.find((c) => c.name === name)!;

function expectClose(actual: Record<string, number>, expected: Record<string, number>): void {
  for (const [name, value] of Object.entries(expected)) {
    expect({ name, diff: Math.abs(actual[name]! - value) < 1e-6 }).toEqual({ name, diff: true });
  }
}

describe('metrics against scikit-learn', () => {
  it.each(['binary', 'multiclass-4'])('classification case %s through computeMetrics', (name) => {
    const c = byName(name);
    const classes = c.classes!;
    const result = computeMetrics(Object.keys(c.expected) as MetricName[], {
      loss: 'sparse_categorical_crossentropy',
      output: Float32Array.from(c.probabilities!),
      outputWidth: classes,
      labels: Float32Array.from(c.yTrue!),
      labelWidth: 1,
    });
    expectClose(result, c.expected);
  });

  it('binary labels with ties and no positive prediction', () => {
    const c = byName('binary-ties-never-positive');
    const [t, p] = [c.yTrue!, c.yPred!];
    expectClose(
      {
        accuracy: accuracy(t, p),
        balanced_accuracy: balancedAccuracy(t, p),
        precision: precision(t, p),
        recall: recall(t, p),
        f1: f1(t, p),
        f1_macro: f1(t, p, 'macro'),
        roc_auc: rocAuc(t, c.scores!),
      },
      c.expected,
    );
  });

  it('regression metrics', () => {
    const c = byName('regression');
    const [t, p] = [c.yTrue!, c.yPred!];
    expectClose({ mse: meanSquaredError(t, p), mae: meanAbsoluteError(t, p), r2: r2(t, p), explained_variance: explainedVariance(t, p) }, c.expected);
    const viaLoss = computeMetrics(['mse', 'r2'], { loss: 'mse', output: Float32Array.from(p), outputWidth: 1, labels: Float32Array.from(t), labelWidth: 1 });
    expectClose(viaLoss, { mse: c.expected['mse']!, r2: c.expected['r2']! });
  });

  it('concordance index (reference loop of Harrell\'s definition)', () => {
    const c = byName('survival');
    expectClose({ concordance_index: concordanceIndex(c.times!, c.events!, c.risks!) }, c.expected);
    const labels = Float32Array.from(c.times!.flatMap((t, i) => [t, c.events![i]!]));
    const viaLoss = computeMetrics(['concordance_index'], { loss: 'mse', output: Float32Array.from(c.risks!), outputWidth: 1, labels, labelWidth: 2 });
    expectClose(viaLoss, c.expected);
  });
});

describe('metric edge cases', () => {
  it('one sigmoid output is thresholded at 0.5 and one-hot labels are read by argmax', () => {
    const single = computeMetrics(['accuracy', 'roc_auc'], {
      loss: 'binary_crossentropy',
      output: Float32Array.from([0.2, 0.7, 0.6, 0.4]),
      outputWidth: 1,
      labels: Float32Array.from([0, 1, 0, 1]),
      labelWidth: 1,
    });
    expect(single).toEqual({ accuracy: 0.5, roc_auc: 0.75 });
    const oneHot = computeMetrics(['accuracy'], {
      loss: 'categorical_crossentropy',
      output: Float32Array.from([0.9, 0.1, 0.3, 0.7]),
      outputWidth: 2,
      labels: Float32Array.from([1, 0, 1, 0]),
      labelWidth: 2,
    });
    expect(oneHot['accuracy']).toBe(0.5);
  });

  it('gives NaN for ROC AUC with one class and C-index without pairs; refuses classification metrics on a regression loss, and binary averages over three classes', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(concordanceIndex([1, 2], [0, 0], [0.5, 0.1])).toBeNaN();
    expect(() => computeMetrics(['accuracy'], { loss: 'mse', output: new Float32Array(2), outputWidth: 1, labels: new Float32Array(2), labelWidth: 1 })).toThrow(
      /classification loss/,
    );
    expect(() => f1([0, 1, 2], [0, 1, 2])).toThrow(/macro or weighted/);
    expect(rocAucOvr([0, 1], [0.9, 0.1, 0.2, 0.8], 2)).toBe(1);
  });

  it('r2 and explained variance of constant labels follow scikit-learn (1 when exact, else 0)', () => {
    expect(r2([2, 2], [2, 2])).toBe(1);
    expect(r2([2, 2], [1, 2])).toBe(0);
    expect(explainedVariance([2, 2], [2, 2])).toBe(1);
  });
});
