import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { accuracy, balancedAccuracy, f1, precision, recall, rocAuc, rocAucOvr } from './classification';
import { computeMetrics } from './compute-metrics';
import { explainedVariance, meanAbsoluteError, meanSquaredError, r2 } from './regression';
import { concordanceIndex } from './survival';
import type { MetricName } from '../plan/plan-spec';
import { createSeededRng } from '@fedbiomed/strategy';
import { metricNames, registerMetric } from './metric-registry';

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

/**
 * lifelines' `_naive_concordance_summary_statistics`, transcribed: predicted scores are survival
 * times (here −risk); a pair is admissible when the earlier time is an event, or when the times tie
 * and exactly one is an event; tied scores count ½.
 */
function lifelinesConcordance(times: number[], events: number[], risks: number[]): number {
  const score = risks.map((r) => -r);
  let pairs = 0;
  let correct = 0;
  let tied = 0;
  for (let a = 0; a < times.length; a++) {
    for (let b = a + 1; b < times.length; b++) {
      const [ta, tb, ea, eb, pa, pb] = [times[a]!, times[b]!, events[a]!, events[b]!, score[a]!, score[b]!];
      const valid = ta === tb ? ea !== eb : (ea && eb) || (ea && ta < tb) || (eb && tb < ta);
      if (!valid) continue;
      pairs++;
      if (pa === pb) tied++;
      else if (pa < pb) correct += ta < tb || (ta === tb && ea && !eb) ? 1 : 0;
      else correct += ta > tb || (ta === tb && !ea && eb) ? 1 : 0;
    }
  }
  return (correct + tied / 2) / pairs;
}

describe('concordance index follows lifelines', () => {
  it('counts a tied time as comparable when exactly one of the two is an event', () => {
    // Both at t = 2: the event sample (risk 0.9) is taken to fail first, so the pair is concordant.
    expect(concordanceIndex([2, 2], [1, 0], [0.9, 0.1])).toBe(1);
    expect(concordanceIndex([2, 2], [1, 0], [0.1, 0.9])).toBe(0);
    expect(concordanceIndex([2, 2], [1, 1], [0.1, 0.9])).toBeNaN();
  });

  it('equals a transcription of lifelines\' reference loop on data full of tied times and scores', () => {
    const rng = createSeededRng(41);
    const n = 80;
    const times = Array.from({ length: n }, () => Math.floor(rng.nextFloat() * 12));
    const events = Array.from({ length: n }, () => (rng.nextFloat() < 0.6 ? 1 : 0));
    const risks = times.map((t) => Math.round(-t / 3 + rng.nextGaussian()));
    expect(concordanceIndex(times, events, risks)).toBeCloseTo(lifelinesConcordance(times, events, risks), 12);
  });
});

describe('the metric registry', () => {
  it('lists loss and the built-ins, and computes a registered metric from what it needs', () => {
    expect(metricNames()).toEqual(expect.arrayContaining(['loss', 'accuracy', 'roc_auc', 'r2', 'concordance_index']));
    registerMetric({
      name: 'event_rate',
      description: 'fraction of samples with an event',
      needs: 'survival',
      higherIsBetter: false,
      compute: ({ events }) => events.reduce((a, b) => a + b, 0) / events.length,
    });
    const result = computeMetrics(['event_rate'], { loss: 'cox_ph', output: Float32Array.from([0.1, 0.2]), outputWidth: 1, labels: Float32Array.from([3, 1, 5, 0]), labelWidth: 2 });
    expect(result).toEqual({ event_rate: 0.5 });
  });

  it('refuses loss as a name and an unknown metric, listing the known ones', () => {
    expect(() => registerMetric({ name: 'loss', description: '', needs: 'values', higherIsBetter: false, compute: () => 0 })).toThrow(/metric "loss" is already registered/);
    expect(() => computeMetrics(['auprc'], { loss: 'mse', output: new Float32Array(1), outputWidth: 1, labels: new Float32Array(1), labelWidth: 1 })).toThrow(
      /metric "auprc" is not registered; known: loss, accuracy/,
    );
  });

  it('turns logits into probabilities for classification metrics when the loss takes logits', () => {
    const logits = computeMetrics(['accuracy', 'roc_auc'], {
      loss: { name: 'binary_crossentropy', params: { fromLogits: true } },
      output: Float32Array.from([-1.4, 0.8, 0.4, -0.4]),
      outputWidth: 1,
      labels: Float32Array.from([0, 1, 0, 1]),
      labelWidth: 1,
    });
    expect(logits).toEqual({ accuracy: 0.5, roc_auc: 0.75 });
    const softmax = computeMetrics(['roc_auc'], {
      loss: { name: 'sparse_categorical_crossentropy', params: { fromLogits: true } },
      // One-vs-rest ranks each class by its softmax probability: perfect here, 0.81 on the raw logits.
      output: Float32Array.from([2, 3, 0, 1, 0, -5, 0, 0, 0, 5, 0, 0]),
      outputWidth: 3,
      labels: Float32Array.from([1, 0, 2, 0]),
      labelWidth: 1,
    });
    expect(softmax['roc_auc']).toBe(1);
  });
});
