import type { DpArgs, OptimizerArgs } from '@fedbiomed/proto';
import { z } from 'zod';

/**
 * What a plan lets the researcher choose in the training arguments of each round. Approved with
 * the plan (part of its hash); a node refuses a train request whose arguments go beyond them.
 * Every field is optional; an absent field falls back to the default documented on it.
 */
export const trainingLimitsSchema = z
  .strictObject({
    /** Most local epochs a round may ask for (`TrainingArgs.epochs`; 0 asks for the node default, 1). Default: no cap. */
    maxEpochs: z.number().int().positive().optional(),
    /** Most local optimiser steps a round may ask for (`TrainingArgs.numUpdates`). Default: no cap. */
    maxNumUpdates: z.number().int().positive().optional(),
    /**
     * Smallest batch a round may ask for (`TrainingArgs.batchSize`; 0 asks for the node default, 32).
     * Default 1. Small batches make each update closer to one sample's gradient.
     */
    minBatchSize: z.number().int().positive().optional(),
    /** Largest batch a round may ask for. Default: no cap. */
    maxBatchSize: z.number().int().positive().optional(),
    /**
     * Range of the learning rate a round may ask for (`TrainingArgs.optimizer.learningRate`), bounds
     * included. Default: no range, so the learning rate is the plan's optimiser's and nothing else.
     */
    learningRate: z.strictObject({ min: z.number().positive(), max: z.number().positive() }).optional(),
    /**
     * Whether a round may replace the plan's optimiser (another name or other arguments in
     * `TrainingArgs.optimizer`). Default false: only the learning rate changes, within `learningRate`.
     */
    allowOptimizerOverride: z.boolean().optional(),
    /** Highest round number a train request may carry (the rounds of one experiment). Default: no cap. */
    maxRounds: z.number().int().positive().optional(),
    /**
     * Differential privacy every round must run under (`TrainingArgs.dp`). Default: none required.
     * `dpSgd` requires per-example DP-SGD (mode `sample`); `minNoiseMultiplier` and `maxClipNorm`
     * bound σ and C of whichever mode runs.
     */
    privacy: z
      .strictObject({
        dpSgd: z.boolean().optional(),
        minNoiseMultiplier: z.number().nonnegative().optional(),
        maxClipNorm: z.number().positive().optional(),
      })
      .optional(),
  })
  .superRefine((limits, ctx) => {
    if (limits.minBatchSize !== undefined && limits.maxBatchSize !== undefined && limits.minBatchSize > limits.maxBatchSize) {
      ctx.addIssue({ code: 'custom', path: ['minBatchSize'], message: `minBatchSize ${limits.minBatchSize} is above maxBatchSize ${limits.maxBatchSize}` });
    }
    if (limits.learningRate !== undefined && limits.learningRate.min > limits.learningRate.max) {
      ctx.addIssue({ code: 'custom', path: ['learningRate'], message: `learningRate.min ${limits.learningRate.min} is above learningRate.max ${limits.learningRate.max}` });
    }
  });

/** A plan's limits on training arguments, see {@link trainingLimitsSchema}. */
export type TrainingLimits = z.infer<typeof trainingLimitsSchema>;

/** What the limits look at in a round's request: the contract's `TrainingArgs` (either generated form). */
export interface LimitedArgs {
  readonly epochs?: number | null;
  readonly numUpdates?: number | null;
  readonly batchSize?: number | null;
  readonly optimizer?: Partial<Pick<OptimizerArgs, 'name' | 'learningRate' | 'params'>> | null;
  readonly dp?: Partial<Pick<DpArgs, 'enabled' | 'mode' | 'clipNorm' | 'noiseMultiplier'>> | null;
}

/** A training argument beyond the plan's limits: which, the value asked and the limit it breaks. */
export interface LimitViolation {
  /** The argument's path in `TrainingArgs`, e.g. `batchSize` or `optimizer.learningRate`; `round` for `maxRounds`. */
  readonly argument: string;
  readonly value: string;
  /** The limit, as the plan spells it, e.g. `maxBatchSize 64`. */
  readonly limit: string;
  /** One sentence naming the three. */
  readonly message: string;
}

/** The plan's optimiser, as `PlanSpec.optimizer` holds it. */
interface PlannedOptimizer {
  readonly name: string;
  readonly learningRate: number;
  readonly params: Readonly<Record<string, number>>;
}

/** The batch size a node uses when a request asks for none (0); mirrors the local training loop's default. */
const DEFAULT_BATCH_SIZE = 32;

/**
 * Checks one round's training arguments against a plan's limits ({@link trainingLimitsSchema}; no
 * limits: the defaults documented there). `round` is the request's round number. Returns the first
 * violation, `undefined` when the arguments fit.
 */
export function checkTrainingLimits(
  plan: { readonly name: string; readonly optimizer: PlannedOptimizer; readonly limits?: TrainingLimits | undefined },
  args: LimitedArgs,
  round: number,
): LimitViolation | undefined {
  const limits = plan.limits ?? {};
  const over = (argument: string, value: number | string, limit: string, why: string): LimitViolation => ({
    argument,
    value: String(value),
    limit,
    message: `training argument ${argument} = ${value} ${why} of plan "${plan.name}" (${limit})`,
  });
  if (limits.maxRounds !== undefined && round > limits.maxRounds) return over('round', round, `maxRounds ${limits.maxRounds}`, 'is above the limit');
  const numUpdates = args.numUpdates ?? 0;
  if (limits.maxNumUpdates !== undefined && numUpdates > limits.maxNumUpdates) {
    return over('numUpdates', numUpdates, `maxNumUpdates ${limits.maxNumUpdates}`, 'is above the limit');
  }
  const epochs = args.epochs || 1;
  if (limits.maxEpochs !== undefined && numUpdates === 0 && epochs > limits.maxEpochs) {
    return over('epochs', epochs, `maxEpochs ${limits.maxEpochs}`, 'is above the limit');
  }
  const batchSize = args.batchSize || DEFAULT_BATCH_SIZE;
  const minBatchSize = limits.minBatchSize ?? 1;
  if (batchSize < minBatchSize) return over('batchSize', batchSize, `minBatchSize ${minBatchSize}`, 'is below the limit');
  if (limits.maxBatchSize !== undefined && batchSize > limits.maxBatchSize) {
    return over('batchSize', batchSize, `maxBatchSize ${limits.maxBatchSize}`, 'is above the limit');
  }
  const privacy = checkPrivacy(limits.privacy, args.dp ?? undefined, over);
  if (privacy !== undefined) return privacy;
  return checkOptimizer(plan.optimizer, limits, args.optimizer ?? undefined, over);
}

function checkOptimizer(
  planned: PlannedOptimizer,
  limits: TrainingLimits,
  requested: LimitedArgs['optimizer'] | undefined,
  over: (argument: string, value: number | string, limit: string, why: string) => LimitViolation,
): LimitViolation | undefined {
  if (!limits.allowOptimizerOverride) {
    if (requested?.name && requested.name !== planned.name) {
      return over('optimizer.name', requested.name, `allowOptimizerOverride false, optimiser ${planned.name}`, 'replaces the optimiser');
    }
    const params = Object.entries(requested?.params ?? {});
    const changed = params.find(([key, value]) => planned.params[key] !== Number(value));
    if (changed !== undefined) {
      return over(`optimizer.params.${changed[0]}`, changed[1], `allowOptimizerOverride false, ${changed[0]} ${planned.params[changed[0]] ?? 'unset'}`, 'changes the optimiser');
    }
  }
  const learningRate = Number(requested?.learningRate ?? 0);
  if (learningRate === 0 || learningRate === planned.learningRate) return undefined;
  const range = limits.learningRate;
  if (range === undefined) {
    return over('optimizer.learningRate', learningRate, `no learningRate range, fixed at ${planned.learningRate}`, 'differs from the learning rate');
  }
  if (learningRate < range.min || learningRate > range.max) {
    return over('optimizer.learningRate', learningRate, `learningRate [${range.min}, ${range.max}]`, 'is outside the range');
  }
  return undefined;
}

function checkPrivacy(
  required: TrainingLimits['privacy'],
  dp: LimitedArgs['dp'] | undefined,
  over: (argument: string, value: number | string, limit: string, why: string) => LimitViolation,
): LimitViolation | undefined {
  if (required === undefined) return undefined;
  if (!dp?.enabled) return over('dp.enabled', 'false', 'privacy required', 'turns off the differential privacy');
  const mode = dp.mode || 'update';
  if (required.dpSgd && mode !== 'sample') return over('dp.mode', mode, 'privacy.dpSgd true', 'is not per-example DP-SGD ("sample"), required');
  const sigma = Number(dp.noiseMultiplier ?? 0);
  if (required.minNoiseMultiplier !== undefined && sigma < required.minNoiseMultiplier) {
    return over('dp.noiseMultiplier', sigma, `privacy.minNoiseMultiplier ${required.minNoiseMultiplier}`, 'is below the limit');
  }
  const clipNorm = Number(dp.clipNorm ?? 0);
  if (required.maxClipNorm !== undefined && clipNorm > required.maxClipNorm) {
    return over('dp.clipNorm', clipNorm, `privacy.maxClipNorm ${required.maxClipNorm}`, 'is above the limit');
  }
  return undefined;
}

/** The limits as lines a node operator reads before approving (defaults spelled out). */
export function describeTrainingLimits(limits: TrainingLimits | undefined, learningRate: number): string[] {
  const l = limits ?? {};
  const cap = (value: number | undefined): string => (value === undefined ? 'no limit' : `at most ${value}`);
  return [
    `rounds: ${cap(l.maxRounds)}`,
    `epochs per round: ${cap(l.maxEpochs)}`,
    `updates per round (numUpdates): ${cap(l.maxNumUpdates)}`,
    `batch size: ${l.minBatchSize ?? 1} to ${l.maxBatchSize ?? 'any'}`,
    `learning rate: ${l.learningRate ? `${l.learningRate.min} to ${l.learningRate.max}` : `fixed at ${learningRate}`}`,
    `optimiser override: ${l.allowOptimizerOverride ? 'allowed' : 'not allowed'}`,
    `differential privacy: ${describePrivacy(l.privacy)}`,
  ];
}

function describePrivacy(privacy: TrainingLimits['privacy']): string {
  if (privacy === undefined) return 'not required';
  const parts = [privacy.dpSgd ? 'DP-SGD (per-example clipping) required' : 'required'];
  if (privacy.minNoiseMultiplier !== undefined) parts.push(`noise multiplier at least ${privacy.minNoiseMultiplier}`);
  if (privacy.maxClipNorm !== undefined) parts.push(`clip norm at most ${privacy.maxClipNorm}`);
  return parts.join(', ');
}
