import { randomInt } from 'node:crypto';

import * as tf from '@tensorflow/tfjs';
import type { DpArgs__Output, TrainingArgs__Output } from '@fedbiomed/proto';
import { createCryptoRng, SCAFFOLD_SERVER_CONTROL, SCAFFOLD_NODE_CONTROL, type Rng } from '@fedbiomed/strategy';

import { TrainingError } from '../errors';
import { planToModel } from '../plan/plan-model';
import type { OptimizerSpec, PlanSpec } from '../plan/plan-spec';
import { assignWeights, readWeightsAsync, type ModelWeights, type WeightSpec, type WeightTensor } from '../weights';
import { denseChain, privateBatchGradients, vectorisedBatchGradients, type DpSgdSettings } from './dp-sgd';
import { applyUpdatePrivacy, resolveDp } from './privacy';
import { lossName, resolveLoss } from '../losses/loss-registry';
import { checkMetricNames } from '../metrics/metric-registry';
import { evaluateModel, throwIfAborted, type MetricSet } from './evaluate';
import { checkOptimizerState, readOptimizerState, restoreOptimizerState, type OptimizerState } from './optimizer-state';
import { createOptimizer, disposeOptimizer, resolveOptimizer } from './optimizers';
import { createScaffold, nextNodeControl, type ScaffoldCorrection } from './scaffold';
import type { BatchGradients, DataParallelTraining, ParallelRound } from '../parallel/data-parallel';
import type { TrainingDataset } from './training-dataset';

/** One streamed value: a training loss or an evaluation metric. */
export interface ScalarEvent {
  readonly name: string;
  readonly value: number;
  /** Optimiser steps done in this round when the value was taken. */
  readonly step: number;
  /** `train`, `test_global` (global model, before training) or `test_local` (after). */
  readonly phase: 'train' | 'test_global' | 'test_local';
}

/** Training arguments: the proto `TrainingArgs`, every field optional (those of `dp` too). */
export type LocalTrainingArgs = Omit<Partial<TrainingArgs__Output>, 'dp'> & { readonly dp?: Partial<DpArgs__Output> | null };

/** Arguments of {@link trainLocal}. */
export interface TrainLocalOptions {
  /** The validated plan. */
  readonly plan: PlanSpec;
  /** A model built by {@link planToModel} for this plan, reused across rounds; built (and disposed) here when omitted. */
  readonly model?: tf.LayersModel;
  /** Global weights received for this round, in the plan's manifest order. */
  readonly weights: ModelWeights;
  readonly dataset: TrainingDataset;
  readonly trainIndices: readonly number[];
  readonly testIndices?: readonly number[];
  readonly args: LocalTrainingArgs;
  /** Strategy state, flat in the weights' layout: `scaffold.server_control` (c) and `scaffold.node_control` (c_i). */
  readonly aux?: Readonly<Record<string, Float32Array>>;
  readonly onScalar?: (event: ScalarEvent) => void;
  readonly signal?: AbortSignal;
  /** Randomness of the DP noise; a cryptographic source when omitted (pass a seeded one in tests only). */
  readonly dpRng?: Rng;
  /**
   * The optimiser's state after the previous round of this experiment (that round's
   * {@link TrainLocalResult.optimizerState}): the round resumes its moments, accumulators and step
   * count instead of starting a fresh optimiser. A state for another optimiser, or whose slots do
   * not fit the model's trainable weights, is refused with `OPTIMIZER_STATE_MISMATCH` before any
   * step (never silently dropped: the caller decides when to start afresh). The learning rate is not
   * part of the state, so a schedule may change it between rounds. Adam's bias correction β^t is
   * recomputed from the step count, so a resumed Adam run matches an uninterrupted one to float32
   * rounding; the other optimisers match bit for bit.
   */
  readonly optimizerState?: OptimizerState;
  /**
   * Worker threads to share every batch with (wasm backend only): each computes the gradients of a
   * shard while this thread computes its own, and the averaged gradients take one optimiser step.
   * Results equal single-thread training up to float32 summation order.
   */
  readonly parallel?: DataParallelTraining;
}

/** What a round of local training returns. */
export interface TrainLocalResult {
  /** Local weights after training (and DP, when enabled), in the plan's manifest order. */
  readonly weights: WeightTensor[];
  readonly sampleCount: number;
  readonly numUpdates: number;
  readonly metricsBefore?: MetricSet;
  readonly metricsAfter?: MetricSet;
  /** Strategy state to send back, e.g. `scaffold.node_control` (c_i⁺). */
  readonly aux: Record<string, Float32Array>;
  readonly timing: { readonly trainingMs: number; readonly evaluationMs: number; readonly totalMs: number };
  /** tfjs backend that ran the round. */
  readonly backend: string;
  /** Threads that computed gradients (1, or {@link DataParallelTraining.threads}). */
  readonly threads: number;
  /** The optimiser's state after the round, to pass as {@link TrainLocalOptions.optimizerState} next round. */
  readonly optimizerState: OptimizerState;
}

/**
 * One round of local training with a custom loop (not `model.fit`): seeded shuffling per epoch,
 * `epochs` or `numUpdates` steps, FedProx proximal term, SCAFFOLD gradient correction, client-side
 * DP on the update or per example (DP-SGD, `dp.mode` `sample`, see {@link privateBatchGradients}), evaluation of the global model before and the local model after. Losses are
 * read back every `logInterval` batches only, and every tensor it creates is disposed.
 */
export async function trainLocal(options: TrainLocalOptions): Promise<TrainLocalResult> {
  const started = performance.now();
  const { plan, args, signal } = options;
  const owned = options.model === undefined;
  const model = options.model ?? (await planToModel(plan));
  try {
    assignWeights(model, options.weights);
    const metrics = checkMetricNames(args.metrics?.length ? args.metrics : plan.metrics);
    const batchSize = positive(args.batchSize, 32, 'batchSize');
    const dp = resolveDp(args.dp);
    const dpRng = dp ? (options.dpRng ?? createCryptoRng()) : undefined;
    let evaluationMs = 0;
    const evaluate = async (phase: 'test_global' | 'test_local', step: number): Promise<MetricSet | undefined> => {
      if (!options.testIndices?.length) return undefined;
      const t0 = performance.now();
      const result = await evaluateModel({ model, loss: plan.loss, metrics, dataset: options.dataset, indices: options.testIndices, signal });
      evaluationMs += performance.now() - t0;
      for (const [name, value] of Object.entries(result.values)) options.onScalar?.({ name, value, step, phase });
      return result;
    };

    const metricsBefore = args.testOnGlobalUpdates ? await evaluate('test_global', 0) : undefined;
    const t0 = performance.now();
    const dpSgd = dp?.mode === 'sample' && dpRng ? { clipNorm: dp.clipNorm, noiseMultiplier: dp.noiseMultiplier, rng: dpRng } : undefined;
    const { numUpdates, sampleCount, optimizer, optimizerState } = await runSteps(model, options, batchSize, dpSgd);
    const trainingMs = performance.now() - t0;
    let weights = await readWeightsAsync(model);
    const aux: Record<string, Float32Array> = {};
    if (options.aux?.[SCAFFOLD_SERVER_CONTROL]) {
      aux[SCAFFOLD_NODE_CONTROL] = nextNodeControl(model, options.aux, options.weights, weights, numUpdates, optimizer.learningRate);
    }
    if (dp?.mode === 'update' && dpRng) {
      weights = applyUpdatePrivacy(options.weights, weights, dp, dpRng);
      assignWeights(model, weights);
    }
    const metricsAfter = args.testOnLocalUpdates ? await evaluate('test_local', numUpdates) : undefined;
    return {
      weights,
      sampleCount,
      numUpdates,
      ...(metricsBefore ? { metricsBefore } : {}),
      ...(metricsAfter ? { metricsAfter } : {}),
      aux,
      timing: { trainingMs, evaluationMs, totalMs: performance.now() - started },
      backend: tf.getBackend(),
      threads: options.parallel?.threads ?? 1,
      optimizerState,
    };
  } finally {
    if (owned) model.dispose();
  }
}

/** Longest stretch of training steps without giving the event loop a turn. */
const YIELD_EVERY_MS = 20;

interface StepsResult {
  readonly numUpdates: number;
  readonly sampleCount: number;
  readonly optimizer: OptimizerSpec;
  readonly optimizerState: OptimizerState;
}

async function runSteps(model: tf.LayersModel, options: TrainLocalOptions, batchSize: number, dpSgd: DpSgdSettings | undefined): Promise<StepsResult> {
  const { args, plan, signal } = options;
  const optimizerSpec = resolveOptimizer(plan, args.optimizer);
  const lossFn = resolveLoss(plan.loss).fn;
  // A chain of dense layers gets DP-SGD's per-example gradients from batched passes.
  const chain = dpSgd ? denseChain(model, lossName(plan.loss)) : undefined;
  const trainable: WeightSpec[] = model.trainableWeights.map((w) => ({ name: w.originalName, shape: w.read().shape }));
  if (options.optimizerState) checkOptimizerState(options.optimizerState, optimizerSpec, trainable);
  const mu = args.fedproxMu ?? 0;
  if (mu < 0) throw new TrainingError('INVALID_ARGUMENT', `fedproxMu must be ≥ 0, got ${mu}`);
  const maxSteps = args.numUpdates ?? 0;
  const epochs = maxSteps > 0 ? Number.POSITIVE_INFINITY : positive(args.epochs, 1, 'epochs');
  const batchMaxnum = args.batchMaxnum ?? 0;
  const logInterval = args.logInterval ?? 0;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // Checks its arguments before allocating; every later allocation is released by the finally below.
  const optimizer = createOptimizer(optimizerSpec);
  let scaffold: ScaffoldCorrection | undefined;
  let anchors: tf.Tensor[] = [];
  // Without a seed each round shuffles differently; with one, the researcher varies it per round.
  const seed = args.randomSeed ?? randomInt(2 ** 31);
  let steps = 0;
  let samples = 0;
  let lastYield = performance.now();
  let lossSum: tf.Tensor | undefined;
  let lossBatches = 0;
  const flushLoss = async (): Promise<void> => {
    if (!lossSum || lossBatches === 0) return;
    const value = (await lossSum.data())[0]! / lossBatches;
    lossSum.dispose();
    lossSum = undefined;
    lossBatches = 0;
    if (!Number.isFinite(value)) throw new TrainingError('DIVERGED', `training loss became ${value} at step ${steps}`);
    options.onScalar?.({ name: 'loss', value, step: steps, phase: 'train' });
  };
  let round: ParallelRound | undefined;
  const gradientsOf = async (xs: tf.Tensor, ys: tf.Tensor): Promise<BatchGradients> => {
    if (dpSgd) {
      // Per-example clipping runs on this thread; FedProx's term is data-independent, so it joins after the noise.
      const data = chain
        ? vectorisedBatchGradients(chain, xs, ys, lossFn, dpSgd)
        : privateBatchGradients(variables, xs, ys, (x, y) => lossFn(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, dpSgd);
      return mu === 0 ? data : withProximalTerm(data, variables, anchors, mu);
    }
    if (!options.parallel) {
      // The proximal term's gradient is μ(w − w_global) in closed form: taping it through autodiff
      // cost FedProx 1.27× FedAvg's step on McMahan's CNN (tools/bench/fedprox-step.mjs).
      const data = tf.variableGrads(() => lossFn(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, variables);
      return mu === 0 ? data : withProximalTerm(data, variables, anchors, mu);
    }
    round ??= await options.parallel.beginRound({ plan, variables, batchSize, featureShape: xs.shape.slice(1), labelShape: ys.shape.slice(1) });
    const data = await round.gradients(xs, ys, (x, y) => tf.variableGrads(() => lossFn(y, model.apply(x, { training: true }) as tf.Tensor), variables));
    return mu === 0 ? data : withProximalTerm(data, variables, anchors, mu);
  };
  const step = async (xs: tf.Tensor, ys: tf.Tensor): Promise<void> => {
    const { value, grads } = await gradientsOf(xs, ys);
    const corrected = scaffold ? scaffold.correct(grads) : grads;
    optimizer.applyGradients(corrected);
    round?.publish();
    tf.dispose(grads);
    if (corrected !== grads) tf.dispose(corrected);
    const previous = lossSum;
    lossSum = previous ? tf.add(previous, value) : tf.keep(value.clone());
    previous?.dispose();
    value.dispose();
    lossBatches++;
  };
  let optimizerState: OptimizerState;
  try {
    scaffold = options.aux?.[SCAFFOLD_SERVER_CONTROL] ? createScaffold(model, options.aux) : undefined;
    // The round's global weights stay on the backend for the proximal term: read once, not per step.
    anchors = mu > 0 ? variables.map((v) => tf.keep(v.clone())) : [];
    if (options.optimizerState) await restoreOptimizerState(optimizer, options.optimizerState);
    for (let epoch = 0; epoch < epochs && (maxSteps === 0 || steps < maxSteps); epoch++) {
      let batchesThisEpoch = 0;
      const before = steps;
      for (const batch of options.dataset.batches({ indices: options.trainIndices, batchSize, shuffleSeed: seed + epoch })) {
        try {
          throwIfAborted(signal);
          await step(batch.xs, batch.ys);
          steps++;
          samples += batch.xs.shape[0]!;
          batchesThisEpoch++;
        } finally {
          batch.xs.dispose();
          batch.ys.dispose();
        }
        if (logInterval > 0 && lossBatches >= logInterval) await flushLoss();
        else if (performance.now() - lastYield > YIELD_EVERY_MS) {
          // Lets cancellations and heartbeats through between steps, without a backend sync.
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if ((batchMaxnum > 0 && batchesThisEpoch >= batchMaxnum) || (maxSteps > 0 && steps >= maxSteps)) break;
      }
      await flushLoss();
      if (steps === before) {
        throw new TrainingError('INVALID_ARGUMENT', `no training batch: trainIndices holds ${options.trainIndices.length} samples`);
      }
    }
    optimizerState = await readOptimizerState(optimizer, optimizerSpec, trainable);
  } finally {
    await round?.end();
    lossSum?.dispose();
    tf.dispose(anchors);
    scaffold?.dispose();
    disposeOptimizer(optimizer);
  }
  return { numUpdates: steps, sampleCount: samples, optimizer: optimizerSpec, optimizerState };
}

/** Adds FedProx's μ/2·‖w − w_global‖² to a loss and μ·(w − w_global) to its gradients (consumes `data`). */
function withProximalTerm(data: BatchGradients, variables: readonly tf.Variable[], anchors: readonly tf.Tensor[], mu: number): BatchGradients {
  const result = tf.tidy((): BatchGradients => {
    const grads: tf.NamedTensorMap = {};
    const squares: tf.Tensor[] = [];
    variables.forEach((v, i) => {
      const distance = tf.sub(v, anchors[i]!);
      grads[v.name] = tf.add(data.grads[v.name]!, tf.mul(mu, distance));
      squares.push(tf.sum(tf.square(distance)));
    });
    return { value: tf.add(data.value, tf.mul(mu / 2, tf.addN(squares))) as tf.Scalar, grads };
  });
  tf.dispose([data.value, ...Object.values(data.grads)]);
  return result;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined || value === 0) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new TrainingError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  return value;
}
