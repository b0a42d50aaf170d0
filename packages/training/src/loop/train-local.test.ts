import * as tf from '@tensorflow/tfjs';
import { fitStandardization, openBreastCancer, splitTrainTest, standardize } from '@fedbiomed/datasets';
import { createSeededRng, SCAFFOLD_NODE_CONTROL, SCAFFOLD_SERVER_CONTROL } from '@fedbiomed/strategy';
import { bundledDataset } from '@fedbiomed/test-utils';

import { TrainingError } from '../errors';
import { buildPlan, type BuiltPlan } from '../plan/build-plan';
import { planToModel } from '../plan/plan-model';
import { flattenWeights, type ModelWeights } from '../weights';
import type { OptimizerState } from './optimizer-state';
import { trainLocal, type LocalTrainingArgs, type ScalarEvent } from './train-local';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

/** WDBC through @fedbiomed/datasets: stratified 80/20 split, features standardised on the train split. */
async function loadWdbc() {
  const raw = await openBreastCancer({ dir: bundledDataset('breast_cancer_wisconsin') });
  const { train, test } = splitTrainTest(raw, 0.2, 7, { stratify: true });
  return { dataset: standardize(raw, fitStandardization(raw, train)), train, test };
}
let wdbc: Awaited<ReturnType<typeof loadWdbc>>;
beforeAll(async () => {
  wdbc = await loadWdbc();
});

function logisticPlan(optimizer: BuiltPlan['spec']['optimizer']['name'] = 'sgd', learningRate = 0.1): BuiltPlan {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [30], units: 1, activation: 'sigmoid', kernelInitializer: 'glorotUniform', name: 'logit' })],
  });
  const built = buildPlan(model, {
    name: 'wdbc-logistic',
    loss: 'binary_crossentropy',
    optimizer: { name: optimizer, learningRate },
    metrics: ['loss', 'accuracy', 'f1', 'roc_auc'],
  });
  model.dispose();
  return built;
}

const baseArgs: LocalTrainingArgs = { epochs: 2, batchSize: 16, randomSeed: 3, testOnGlobalUpdates: true, testOnLocalUpdates: true };

interface TrainExtra {
  weights?: ModelWeights;
  aux?: Record<string, Float32Array>;
  optimizerState?: OptimizerState;
}

async function train(built: BuiltPlan, args: LocalTrainingArgs, extra: TrainExtra = {}) {
  return trainLocal({
    plan: built.spec,
    weights: extra.weights ?? built.initialWeights,
    dataset: wdbc.dataset,
    trainIndices: wdbc.train,
    testIndices: wdbc.test,
    args,
    ...(extra.aux ? { aux: extra.aux } : {}),
    ...(extra.optimizerState ? { optimizerState: extra.optimizerState } : {}),
  });
}

/**
 * Two epochs of one run, and the same two epochs as two rounds (epoch e shuffles with
 * randomSeed + e, so the rounds are seeded 3 and 4), the second resuming the first's optimiser
 * state or restarting it.
 */
async function resumeVersusRestart(name: OptimizerState['optimizer'] & BuiltPlan['spec']['optimizer']['name']) {
  const plan = logisticPlan(name, 0.01);
  const oneEpoch = { ...baseArgs, epochs: 1, testOnGlobalUpdates: false, testOnLocalUpdates: false };
  const whole = await train(plan, { ...oneEpoch, epochs: 2 });
  const first = await train(plan, oneEpoch);
  const resumed = await train(plan, { ...oneEpoch, randomSeed: 4 }, { weights: first.weights, optimizerState: first.optimizerState });
  const restarted = await train(plan, { ...oneEpoch, randomSeed: 4 }, { weights: first.weights });
  expect(resumed.optimizerState.step).toBe(whole.optimizerState.step);
  expect(restarted.optimizerState.step).toBe(first.optimizerState.step);
  return {
    whole: flattenWeights(whole.weights),
    resumed: flattenWeights(resumed.weights),
    restarted: flattenWeights(restarted.weights),
    wholeState: whole.optimizerState,
    resumedState: resumed.optimizerState,
  };
}

describe('trainLocal', () => {
  const built = logisticPlan();

  it('trains logistic regression on WDBC to at least 95% test accuracy and streams scalars', async () => {
    const events: ScalarEvent[] = [];
    const result = await trainLocal({
      plan: built.spec,
      weights: built.initialWeights,
      dataset: wdbc.dataset,
      trainIndices: wdbc.train,
      testIndices: wdbc.test,
      args: { ...baseArgs, epochs: 10, logInterval: 5 },
      onScalar: (e) => events.push(e),
    });
    expect(result.metricsAfter?.values['accuracy']).toBeGreaterThanOrEqual(0.95);
    expect(result.metricsAfter?.values['roc_auc']).toBeGreaterThan(0.97);
    expect(result.metricsBefore?.sampleCount).toBe(wdbc.test.length);
    expect(result.sampleCount).toBe(wdbc.train.length * 10);
    expect(result.numUpdates).toBe(Math.ceil(wdbc.train.length / 16) * 10);
    const losses = events.filter((e) => e.phase === 'train');
    expect(losses.length).toBeGreaterThan(10);
    expect(losses.at(-1)!.value).toBeLessThan(losses[0]!.value);
    expect(events.some((e) => e.phase === 'test_global' && e.name === 'accuracy')).toBe(true);
    expect(events.find((e) => e.phase === 'test_local' && e.name === 'accuracy')?.step).toBe(result.numUpdates);
    expect(result.backend).toBe(tf.getBackend());
  });

  it('stops after numUpdates steps and caps batches per epoch with batchMaxnum', async () => {
    expect((await train(built, { ...baseArgs, numUpdates: 7 })).numUpdates).toBe(7);
    const capped = await train(built, { ...baseArgs, epochs: 3, batchMaxnum: 2 });
    expect(capped.numUpdates).toBe(6);
    expect(capped.sampleCount).toBe(6 * 16);
  });

  it('gives the same weights for the same seed and different ones for another seed', async () => {
    const a = flattenWeights((await train(built, baseArgs)).weights);
    const b = flattenWeights((await train(built, baseArgs)).weights);
    const c = flattenWeights((await train(built, { ...baseArgs, randomSeed: 4 })).weights);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('FedProx with mu = 0 equals plain training bit for bit; mu > 0 stays closer to the global weights', async () => {
    const plain = flattenWeights((await train(built, baseArgs)).weights);
    const mu0 = flattenWeights((await train(built, { ...baseArgs, fedproxMu: 0 })).weights);
    const prox = flattenWeights((await train(built, { ...baseArgs, fedproxMu: 5 })).weights);
    expect(Buffer.from(mu0.buffer).equals(Buffer.from(plain.buffer))).toBe(true);
    const global = flattenWeights(built.initialWeights);
    expect(distance(prox, global)).toBeLessThan(distance(plain, global));
  });

  it('SCAFFOLD with zero controls equals plain SGD and returns c_i+ by option II', async () => {
    const plainResult = await train(built, baseArgs);
    const size = flattenWeights(built.initialWeights).length;
    const zero = await train(built, baseArgs, {
      aux: { [SCAFFOLD_SERVER_CONTROL]: new Float32Array(size), [SCAFFOLD_NODE_CONTROL]: new Float32Array(size) },
    });
    const plain = flattenWeights(plainResult.weights);
    expect(Buffer.from(flattenWeights(zero.weights).buffer).equals(Buffer.from(plain.buffer))).toBe(true);
    const control = zero.aux[SCAFFOLD_NODE_CONTROL]!;
    const x = flattenWeights(built.initialWeights);
    control.forEach((v, k) => expect(v).toBeCloseTo((x[k]! - plain[k]!) / (zero.numUpdates * 0.1), 4));
  });

  it('SCAFFOLD shifts every SGD step by c - c_i', async () => {
    const size = flattenWeights(built.initialWeights).length;
    const server = new Float32Array(size).fill(0.01);
    const one = { ...baseArgs, numUpdates: 1, testOnGlobalUpdates: false, testOnLocalUpdates: false };
    const plain = flattenWeights((await train(built, one)).weights);
    const shifted = flattenWeights((await train(built, one, { aux: { [SCAFFOLD_SERVER_CONTROL]: server } })).weights);
    shifted.forEach((v, k) => expect(v).toBeCloseTo(plain[k]! - 0.1 * 0.01, 6));
  });

  it('clips the update for client-side DP and adds noise from the given source', async () => {
    const global = flattenWeights(built.initialWeights);
    const dpArgs = { ...baseArgs, dp: { enabled: true, clipNorm: 0.05, noiseMultiplier: 0, mode: 'update' } };
    const clipped = flattenWeights((await train(built, dpArgs)).weights);
    expect(distance(clipped, global)).toBeCloseTo(0.05, 5);
    const noisy = await trainLocal({
      plan: built.spec,
      weights: built.initialWeights,
      dataset: wdbc.dataset,
      trainIndices: wdbc.train,
      args: { ...dpArgs, dp: { ...dpArgs.dp, noiseMultiplier: 1 } },
      dpRng: { nextFloat: () => 0.5, nextGaussian: () => 1 },
    });
    flattenWeights(noisy.weights).forEach((v, k) => expect(v).toBeCloseTo(clipped[k]! + 0.05, 5));
    const seeded = () =>
      trainLocal({
        plan: built.spec,
        weights: built.initialWeights,
        dataset: wdbc.dataset,
        trainIndices: wdbc.train,
        args: { ...dpArgs, dp: { ...dpArgs.dp, noiseMultiplier: 0.5 } },
        dpRng: createSeededRng(11),
      });
    const [a, b] = [flattenWeights((await seeded()).weights), flattenWeights((await seeded()).weights)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(clipped);
  });

  it('supports every declared optimiser', async () => {
    for (const name of ['sgd', 'momentum', 'adam', 'adagrad', 'rmsprop'] as const) {
      const result = await train(logisticPlan(name, 0.01), { ...baseArgs, epochs: 1 });
      expect(result.metricsAfter!.values['loss']).toBeLessThan(result.metricsBefore!.values['loss']!);
    }
  });

  it.each(['sgd', 'adam'] as const)('keeps the number of tensors stable across rounds with one model, resuming the %s state', async (name) => {
    const plan = logisticPlan(name, 0.01);
    const model = await planToModel(plan.spec);
    const round = ({ weights, optimizerState }: { weights: ModelWeights; optimizerState?: OptimizerState }) =>
      trainLocal({
        plan: plan.spec,
        model,
        weights,
        dataset: wdbc.dataset,
        trainIndices: wdbc.train,
        testIndices: wdbc.test,
        args: { ...baseArgs, fedproxMu: 0.1, logInterval: 3 },
        ...(optimizerState ? { optimizerState } : {}),
      });
    let last = await round({ weights: plan.initialWeights });
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) last = await round(last);
    expect(tf.memory().numTensors).toBe(before);
    expect(last.optimizerState.step).toBe(4 * 2 * Math.ceil(wdbc.train.length / 16));
    model.dispose();
  });

  it.each(['momentum', 'adagrad', 'rmsprop'] as const)(
    '%s resumed from the previous round\'s state equals one uninterrupted run bit for bit; a restart does not',
    async (name) => {
      const { whole, resumed, restarted, wholeState, resumedState } = await resumeVersusRestart(name);
      expect(Buffer.from(resumed.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
      expect(resumedState).toEqual(wholeState);
      expect(restarted).not.toEqual(whole);
    },
  );

  it('Adam resumed equals one uninterrupted run up to float32 rounding of its bias correction; a restart is far off', async () => {
    const { whole, resumed, restarted, wholeState, resumedState } = await resumeVersusRestart('adam');
    // tfjs recomputes β^t by pow() on restore where the uninterrupted run multiplies step by step.
    expect(maxAbsDifference(resumed, whole)).toBeLessThan(1e-6);
    expect(maxAbsDifference(restarted, whole)).toBeGreaterThan(1e-3);
    expect(resumedState.slots.map((slot) => slot.name)).toEqual(['logit/kernel/m', 'logit/bias/m', 'logit/kernel/v', 'logit/bias/v']);
    resumedState.slots.forEach((slot, k) => expect(maxAbsDifference(slot.values, wholeState.slots[k]!.values)).toBeLessThan(1e-6));
  });

  it('refuses an optimiser state of another optimiser or model, and mis-sized controls, leaving no tensor behind', async () => {
    const adam = logisticPlan('adam', 0.01);
    const { optimizerState } = await train(adam, { ...baseArgs, epochs: 1 });
    const [kernelM, ...others] = optimizerState.slots;
    const before = tf.memory().numTensors;
    await expect(train(built, baseArgs, { optimizerState })).rejects.toMatchObject({
      code: 'OPTIMIZER_STATE_MISMATCH',
      message: expect.stringMatching(/state is for "adam" but this round runs "sgd"/),
    });
    const narrower = { ...kernelM!, shape: [29, 1], values: kernelM!.values.subarray(0, 29) };
    await expect(train(adam, baseArgs, { optimizerState: { ...optimizerState, slots: [narrower, ...others] } })).rejects.toThrow(
      /slot 0 \("logit\/kernel\/m"\) has shape \[29, 1\], but weight "logit\/kernel" has \[30, 1\]/,
    );
    await expect(train(adam, baseArgs, { optimizerState: { ...optimizerState, slots: others } })).rejects.toThrow(/holds 3 slots, expected 4/);
    // A refusal after Adam's optimiser exists (its β accumulators are tensors) releases it too.
    await expect(train(adam, baseArgs, { optimizerState, aux: { [SCAFFOLD_SERVER_CONTROL]: new Float32Array(3) } })).rejects.toThrow(/holds 3 values/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('honours an AbortSignal with an ABORTED error', async () => {
    const controller = new AbortController();
    controller.abort(new Error('researcher cancelled'));
    const before = tf.memory().numTensors;
    await expect(
      trainLocal({ plan: built.spec, weights: built.initialWeights, dataset: wdbc.dataset, trainIndices: wdbc.train, args: baseArgs, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses unknown optimisers and metrics, and mis-sized controls', async () => {
    await expect(train(built, { ...baseArgs, optimizer: { name: 'lbfgs', learningRate: 1, params: {} } })).rejects.toThrow(/lbfgs/);
    await expect(train(built, { ...baseArgs, metrics: ['accuracy', 'bleu'] })).rejects.toThrow(TrainingError);
    await expect(train(built, baseArgs, { aux: { [SCAFFOLD_SERVER_CONTROL]: new Float32Array(3) } })).rejects.toThrow(/holds 3 values/);
  });
});

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  a.forEach((v, k) => (s += (v - b[k]!) ** 2));
  return Math.sqrt(s);
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  a.forEach((v, k) => (max = Math.max(max, Math.abs(v - b[k]!))));
  return max;
}
