import * as tf from '@tensorflow/tfjs';

import { resolveOptimizer } from '../loop/optimizers';
import { buildPlan, encodePlan, type PlanConfig } from './build-plan';
import { formatPlanSummary, summarizePlan } from './plan-summary';
import { checkTrainingLimits, type LimitedArgs, type TrainingLimits } from './training-limits';
import { validatePlan } from './validate-plan';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

const config: PlanConfig = { name: 'logreg', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 }, metrics: ['loss'] };

function logreg(): tf.LayersModel {
  return tf.sequential({ name: 'logreg', layers: [tf.layers.dense({ name: 'out', inputShape: [3], units: 1, activation: 'sigmoid' })] });
}

const build = (limits?: TrainingLimits) => buildPlan(logreg(), { ...config, ...(limits !== undefined && { limits }) });

describe('plan limits and the plan hash', () => {
  it('leaves plans without limits as they were: no limits field, the same hash as before limits existed', () => {
    const plain = build();
    expect(plain.plan.canonicalJson).not.toContain('limits');
    // The hash this plan had before limits were added to the plan format.
    expect(plain.plan.sha256).toBe(PLAIN_PLAN_SHA256);
    expect(build({}).plan.sha256).toBe(plain.plan.sha256);
  });

  it('changes the hash with every limit, so an operator approves the limits with the plan', () => {
    const variants: TrainingLimits[] = [
      { maxEpochs: 5 },
      { maxEpochs: 6 },
      { maxNumUpdates: 100 },
      { minBatchSize: 8 },
      { maxBatchSize: 64 },
      { learningRate: { min: 0.01, max: 0.1 } },
      { allowOptimizerOverride: true },
      { maxRounds: 10 },
      { privacy: {} },
      { privacy: { dpSgd: true } },
      { privacy: { dpSgd: true, minNoiseMultiplier: 1 } },
    ];
    const hashes = [build().plan.sha256, ...variants.map((limits) => build(limits).plan.sha256)];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('travels: a node validating the plan reads the same limits back', () => {
    const limits = { maxEpochs: 2, minBatchSize: 8, learningRate: { min: 0.01, max: 0.2 } };
    expect(validatePlan(build(limits).plan).spec.limits).toEqual(limits);
  });

  it('refuses limits that contradict themselves or a plan whose limits hold an unknown field', () => {
    expect(() => build({ minBatchSize: 64, maxBatchSize: 8 })).toThrow(/minBatchSize 64 is above maxBatchSize 8/);
    expect(() => build({ learningRate: { min: 0.5, max: 0.1 } })).toThrow(/learningRate.min 0.5 is above learningRate.max 0.1/);
    const spec = { ...build().spec, limits: { maxEpoch: 3 } };
    expect(() => validatePlan(encodePlan(spec as never))).toThrow(expect.objectContaining({ code: 'MALFORMED_PLAN', message: expect.stringMatching(/maxEpoch/) }));
  });
});

describe('checkTrainingLimits', () => {
  const limited = build({ maxEpochs: 3, maxNumUpdates: 50, minBatchSize: 8, maxBatchSize: 64, learningRate: { min: 0.01, max: 0.2 }, maxRounds: 4 }).spec;
  const check = (args: LimitedArgs, round = 1) => checkTrainingLimits(limited, args, round);

  it('accepts arguments within the limits, and zeros that ask for the node defaults', () => {
    expect(check({ epochs: 3, batchSize: 8, optimizer: { learningRate: 0.2 } }, 4)).toBeUndefined();
    expect(check({ numUpdates: 50, batchSize: 64, optimizer: { name: 'sgd', learningRate: 0.01 } })).toBeUndefined();
    expect(check({ epochs: 0, batchSize: 0 })).toBeUndefined();
  });

  it('names the argument, the value and the limit of each violation', () => {
    expect(check({ epochs: 4 })).toMatchObject({ argument: 'epochs', value: '4', limit: 'maxEpochs 3' });
    expect(check({ numUpdates: 51 })).toMatchObject({ argument: 'numUpdates', value: '51', limit: 'maxNumUpdates 50' });
    expect(check({ batchSize: 4 })).toMatchObject({ argument: 'batchSize', value: '4', limit: 'minBatchSize 8' });
    expect(check({ batchSize: 0, numUpdates: 1 })).toBeUndefined();
    expect(check({ batchSize: 65 })?.message).toBe('training argument batchSize = 65 is above the limit of plan "logreg" (maxBatchSize 64)');
    expect(check({ optimizer: { learningRate: 0.5 } })).toMatchObject({ argument: 'optimizer.learningRate', value: '0.5', limit: 'learningRate [0.01, 0.2]' });
    expect(check({}, 5)).toMatchObject({ argument: 'round', value: '5', limit: 'maxRounds 4' });
    expect(check({ optimizer: { name: 'adam', learningRate: 0.1 } })).toMatchObject({ argument: 'optimizer.name', value: 'adam' });
    expect(check({ optimizer: { name: 'sgd', params: { momentum: 0.9 } } })).toMatchObject({ argument: 'optimizer.params.momentum', value: '0.9' });
  });

  it('without limits: any epochs, updates and batch of at least one, but the optimiser and its learning rate fixed', () => {
    const plain = build().spec;
    expect(checkTrainingLimits(plain, { epochs: 1000, numUpdates: 0, batchSize: 1 }, 500)).toBeUndefined();
    expect(checkTrainingLimits(plain, { optimizer: { learningRate: 0.1 } }, 1)).toBeUndefined();
    expect(checkTrainingLimits(plain, { optimizer: { learningRate: 0.05 } }, 1)).toMatchObject({
      argument: 'optimizer.learningRate',
      limit: 'no learningRate range, fixed at 0.1',
    });
    expect(checkTrainingLimits(plain, { optimizer: { name: 'adam' } }, 1)).toMatchObject({ argument: 'optimizer.name', value: 'adam' });
  });

  it('allows another optimiser when the plan says so, its learning rate still within the range', () => {
    const open = build({ allowOptimizerOverride: true, learningRate: { min: 0.001, max: 0.1 } }).spec;
    expect(checkTrainingLimits(open, { optimizer: { name: 'adam', learningRate: 0.001, params: { beta1: 0.8 } } }, 1)).toBeUndefined();
    expect(checkTrainingLimits(open, { optimizer: { name: 'adam', learningRate: 0.5 } }, 1)).toMatchObject({ argument: 'optimizer.learningRate' });
  });
});

describe('privacy limits', () => {
  const strict = build({ privacy: { dpSgd: true, minNoiseMultiplier: 1, maxClipNorm: 2 } }).spec;
  const dp = { enabled: true, mode: 'sample', clipNorm: 1, noiseMultiplier: 1.1 };

  it('requires DP-SGD with at least the noise and at most the clip norm the plan states', () => {
    expect(checkTrainingLimits(strict, { dp }, 1)).toBeUndefined();
    expect(checkTrainingLimits(strict, {}, 1)).toMatchObject({ argument: 'dp.enabled', limit: 'privacy required' });
    expect(checkTrainingLimits(strict, { dp: { ...dp, mode: 'update' } }, 1)).toMatchObject({ argument: 'dp.mode', value: 'update' });
    expect(checkTrainingLimits(strict, { dp: { ...dp, noiseMultiplier: 0.5 } }, 1)?.message).toBe(
      'training argument dp.noiseMultiplier = 0.5 is below the limit of plan "logreg" (privacy.minNoiseMultiplier 1)',
    );
    expect(checkTrainingLimits(strict, { dp: { ...dp, clipNorm: 3 } }, 1)).toMatchObject({ argument: 'dp.clipNorm', limit: 'privacy.maxClipNorm 2' });
    expect(checkTrainingLimits(build({ privacy: {} }).spec, { dp: { ...dp, mode: 'update' } }, 1)).toBeUndefined();
    expect(checkTrainingLimits(build().spec, {}, 1)).toBeUndefined();
  });

  it('shows the operator what the plan requires', () => {
    expect(formatPlanSummary(summarizePlan(strict))).toContain('differential privacy: DP-SGD (per-example clipping) required, noise multiplier at least 1, clip norm at most 2');
    expect(formatPlanSummary(summarizePlan(build().spec))).toContain('differential privacy: not required');
  });
});

describe('resolveOptimizer', () => {
  const adam = buildPlan(logreg(), { ...config, optimizer: { name: 'adam', learningRate: 0.01, params: { beta1: 0.8 } } }).spec;

  it("keeps the plan's optimiser and arguments when the request changes only the learning rate", () => {
    expect(resolveOptimizer(adam, { learningRate: 0.002 })).toEqual({ name: 'adam', learningRate: 0.002, params: { beta1: 0.8 } });
    expect(resolveOptimizer(adam, { name: 'adam', learningRate: 0.003, params: {} })).toEqual({ name: 'adam', learningRate: 0.003, params: { beta1: 0.8 } });
    expect(resolveOptimizer(adam, { name: 'sgd', learningRate: 0 })).toEqual({ name: 'sgd', learningRate: 0.01, params: {} });
  });
});

describe('plan show', () => {
  it('lists the limits an operator approves, defaults spelled out', () => {
    const text = formatPlanSummary(summarizePlan(build({ maxEpochs: 3, minBatchSize: 16, learningRate: { min: 0.01, max: 0.2 } }).spec));
    expect(text).toContain('epochs per round: at most 3');
    expect(text).toContain('batch size: 16 to any');
    expect(text).toContain('learning rate: 0.01 to 0.2');
    expect(text).toContain('optimiser override: not allowed');
    const plain = formatPlanSummary(summarizePlan(build().spec));
    expect(plain).toContain('learning rate: fixed at 0.1');
    expect(plain).toContain('rounds: no limit');
  });
});

const PLAIN_PLAN_SHA256 = '5b79181a15937b0420e9eacfb505cc68c39fe08130623dde5e4a303c0b84ae0c';
