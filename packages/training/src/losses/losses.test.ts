import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmKernels } from '../backends/wasm-kernels';
import type { LossRef } from './loss-definition';
import { resolveLoss } from './loss-registry';

tf.env().set('IS_TEST', true);

// Importing the wasm backend makes it the default: the values are checked on cpu, and wasm compared with it.
beforeAll(() => tf.setBackend('cpu'));

/** The loss of one batch, as a number. */
function lossOf(ref: LossRef, labels: number[][], outputs: number[][]): number {
  return tf.tidy(() => resolveLoss(ref).fn(tf.tensor2d(labels), tf.tensor2d(outputs)).dataSync()[0]!);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('built-in losses against hand-computed values', () => {
  it('binary cross-entropy on probabilities and, stably, on logits', () => {
    expect(lossOf('binary_crossentropy', [[1], [0]], [[0.8], [0.4]])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 5);
    const logits = { name: 'binary_crossentropy', params: { fromLogits: true } };
    expect(lossOf(logits, [[1], [0]], [[2], [-1]])).toBeCloseTo((Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2, 5);
    // A confidently wrong logit costs its size; through a sigmoid in float32 it would saturate at −log ε.
    expect(lossOf(logits, [[0]], [[100]])).toBeCloseTo(100, 3);
  });

  it('categorical cross-entropy of one-hot or class-id labels, on softmax outputs or on logits', () => {
    expect(lossOf('categorical_crossentropy', [[0, 1, 0]], [[0.2, 0.5, 0.3]])).toBeCloseTo(-Math.log(0.5), 5);
    expect(lossOf('sparse_categorical_crossentropy', [[1], [2]], [[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])).toBeCloseTo(
      -(Math.log(0.5) + Math.log(0.8)) / 2,
      5,
    );
    const logSumExp = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(lossOf({ name: 'sparse_categorical_crossentropy', params: { fromLogits: true } }, [[2]], [[1, 2, 3]])).toBeCloseTo(logSumExp - 3, 5);
    expect(lossOf({ name: 'categorical_crossentropy', params: { fromLogits: true } }, [[1, 0, 0]], [[1, 2, 3]])).toBeCloseTo(logSumExp - 1, 5);
  });

  it('focal loss weighs by α_t and (1 − p_t)^γ', () => {
    const expected = mean([0.25 * 0.1 ** 2 * -Math.log(0.9), 0.75 * 0.2 ** 2 * -Math.log(0.8)]);
    expect(lossOf('focal', [[1], [0]], [[0.9], [0.2]])).toBeCloseTo(expected, 6);
    const p = sigmoid(0.5);
    const custom = { name: 'focal', params: { alpha: 0.6, gamma: 1, fromLogits: true } };
    expect(lossOf(custom, [[1], [0]], [[0.5], [0.5]])).toBeCloseTo(mean([0.6 * (1 - p) * -Math.log(p), 0.4 * p * -Math.log(1 - p)]), 6);
    // γ = 0 and α = ½: half the binary cross-entropy.
    expect(lossOf({ name: 'focal', params: { alpha: 0.5, gamma: 0 } }, [[1], [0]], [[0.8], [0.4]])).toBeCloseTo(
      lossOf('binary_crossentropy', [[1], [0]], [[0.8], [0.4]]) / 2,
      6,
    );
  });

  it('soft Dice per sample, then the mean; an empty mask predicted empty costs 0', () => {
    const first = 1 - (2 * (0.9 + 0.6) + 1) / (2 + (0.9 + 0.6 + 0.2 + 0.1) + 1);
    expect(lossOf('dice', [[1, 1, 0, 0], [0, 0, 0, 0]], [[0.9, 0.6, 0.2, 0.1], [0, 0, 0, 0]])).toBeCloseTo(mean([first, 0]), 6);
    const smooth = 0.5;
    expect(lossOf({ name: 'dice', params: { smooth } }, [[1, 0]], [[0.5, 0.5]])).toBeCloseTo(1 - (2 * 0.5 + smooth) / (1 + 1 + smooth), 6);
  });

  it('Huber is quadratic within delta and linear beyond', () => {
    expect(lossOf('huber', [[0], [0]], [[0.5], [2]])).toBeCloseTo(mean([0.5 * 0.5 ** 2, 1 * (2 - 0.5)]), 6);
    expect(lossOf({ name: 'huber', params: { delta: 2 } }, [[1]], [[-2]])).toBeCloseTo(2 * (3 - 1), 6);
  });

  it('Poisson on rates and on log-rates', () => {
    expect(lossOf('poisson', [[2], [0]], [[3], [0.5]])).toBeCloseTo(mean([3 - 2 * Math.log(3), 0.5]), 5);
    expect(lossOf({ name: 'poisson', params: { logInput: true } }, [[2]], [[Math.log(3)]])).toBeCloseTo(3 - 2 * Math.log(3), 5);
  });

  it('mean squared and absolute errors', () => {
    expect(lossOf('mse', [[1], [2]], [[2], [4]])).toBeCloseTo(2.5, 6);
    expect(lossOf('mae', [[1], [2]], [[2], [4]])).toBeCloseTo(1.5, 6);
  });
});

/** A survival batch: one [time, event] row and one score per sample. */
interface SurvivalBatch {
  readonly times: number[];
  readonly events: number[];
  readonly scores: number[];
}

/** Breslow's negative partial log-likelihood over the events, in float64, written from the formula. */
function breslowReference({ times, events, scores }: SurvivalBatch): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < times.length; i++) {
    if (!events[i]) continue;
    let atRisk = 0;
    for (let j = 0; j < times.length; j++) if (times[j]! >= times[i]!) atRisk += Math.exp(scores[j]!);
    sum += Math.log(atRisk) - scores[i]!;
    count++;
  }
  return count ? sum / count : 0;
}

/**
 * FLamby's Fed-TCGA-BRCA `BaselineLoss`, transcribed: rows sorted by decreasing time (a stable sort,
 * so tied times stay in batch order), −(s − log cumsum e^s)·e per row, and the mean over all rows.
 */
function flambyReference({ times, events, scores }: SurvivalBatch): number {
  const order = times.map((_, i) => i).sort((a, b) => times[b]! - times[a]!);
  const max = Math.max(...scores);
  let cumulative = 0;
  let sum = 0;
  for (const i of order) {
    cumulative += Math.exp(scores[i]! - max);
    sum += -(scores[i]! - max - Math.log(cumulative)) * events[i]!;
  }
  return sum / times.length;
}

function coxTensors(batch: SurvivalBatch): { labels: tf.Tensor2D; scores: tf.Tensor2D } {
  return {
    labels: tf.tensor2d(batch.times.map((t, i) => [t, batch.events[i]!])),
    scores: tf.tensor2d(batch.scores.map((s) => [s])),
  };
}

function coxLoss(batch: SurvivalBatch): number {
  return tf.tidy(() => {
    const { labels, scores } = coxTensors(batch);
    return resolveLoss('cox_ph').fn(labels, scores).dataSync()[0]!;
  });
}

function coxGradient(batch: SurvivalBatch): number[] {
  return tf.tidy(() => {
    const { labels, scores } = coxTensors(batch);
    const fn = resolveLoss('cox_ph').fn;
    return Array.from(tf.grad((s: tf.Tensor) => fn(labels, s))(scores).dataSync());
  });
}

const noTies: SurvivalBatch = {
  times: [5, 1, 3, 8, 2, 6],
  events: [1, 1, 0, 1, 0, 1],
  scores: [0.3, 1.2, -0.4, -1.1, 0.8, 0.1],
};

/** Tied event times (2, 2), an event tied with a censored time (5, 5), and a tie of censored times (7, 7). */
const withTies: SurvivalBatch = {
  times: [2, 5, 2, 7, 5, 1, 7, 3],
  events: [1, 1, 1, 0, 0, 1, 0, 1],
  scores: [0.5, -0.2, 1.1, -0.7, 0.3, 0.9, 0.2, -1.3],
};

describe('cox_ph', () => {
  it('matches FLamby\'s CoxLoss on a batch without ties, up to its mean over all rows instead of over events', () => {
    const events = noTies.events.filter(Boolean).length;
    expect(coxLoss(noTies)).toBeCloseTo((flambyReference(noTies) * noTies.times.length) / events, 5);
    expect(coxLoss(noTies)).toBeCloseTo(breslowReference(noTies), 5);
  });

  it('puts every tied sample in each other\'s risk set (Breslow), whatever the batch order', () => {
    const expected = breslowReference(withTies);
    expect(coxLoss(withTies)).toBeCloseTo(expected, 5);
    const reversed = { times: [...withTies.times].reverse(), events: [...withTies.events].reverse(), scores: [...withTies.scores].reverse() };
    expect(coxLoss(reversed)).toBeCloseTo(expected, 5);
    // FLamby's order-dependent tie handling gives another value on this batch.
    expect(Math.abs((flambyReference(withTies) * 8) / 5 - expected)).toBeGreaterThan(1e-3);
  });

  it('has the gradient of the reference formula (central finite differences in float64)', () => {
    for (const batch of [noTies, withTies]) {
      const h = 1e-6;
      const numeric = batch.scores.map((_, k) => {
        const shifted = (d: number) => ({ ...batch, scores: batch.scores.map((s, j) => (j === k ? s + d : s)) });
        return (breslowReference(shifted(h)) - breslowReference(shifted(-h))) / (2 * h);
      });
      const analytic = coxGradient(batch);
      analytic.forEach((g, k) => expect(g).toBeCloseTo(numeric[k]!, 5));
    }
  });

  it('gives zero loss and zero gradient to a batch without events', () => {
    const censored = { times: [3, 1, 2], events: [0, 0, 0], scores: [0.4, -2, 7] };
    expect(coxLoss(censored)).toBe(0);
    expect(coxGradient(censored)).toEqual([0, 0, 0]);
  });

  it('stays finite and exact when scores spread beyond float32\'s exponent range', () => {
    const spread = { times: [4, 3, 2, 1], events: [1, 1, 1, 1], scores: [-150, 120, -90, 60] };
    expect(coxLoss(spread)).toBeCloseTo(breslowReference(spread), 3);
    coxGradient(spread).forEach((g) => expect(Number.isFinite(g)).toBe(true));
  });

  it('computes the same loss and gradient on the wasm backend, as nodes run it (no kernel it lacks)', async () => {
    const cpu = { loss: coxLoss(withTies), grad: coxGradient(withTies) };
    registerWasmKernels();
    await tf.setBackend('wasm');
    try {
      expect(coxLoss(withTies)).toBeCloseTo(cpu.loss, 5);
      coxGradient(withTies).forEach((g, k) => expect(g).toBeCloseTo(cpu.grad[k]!, 5));
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('refuses labels that are not [time, event] rows', () => {
    expect(() => lossOf('cox_ph', [[1], [2]], [[0.1], [0.2]])).toThrow(/cox_ph needs one output and a \[time, event\] label per sample/);
  });
});
