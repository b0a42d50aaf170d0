import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import { buildPlan, encodePlan, type PlanConfig } from './build-plan';
import type { PlanSpec } from './plan-spec';
import { checkPlanFitsDataset, validatePlan } from './validate-plan';

tf.env().set('IS_TEST', true);

function model(units: number, activation: 'sigmoid' | 'linear' = 'sigmoid'): tf.LayersModel {
  return tf.sequential({ name: 'm', layers: [tf.layers.dense({ name: 'out', inputShape: [3], units, activation, kernelInitializer: 'zeros' })] });
}

function build(config: Partial<PlanConfig>, units = 1): ReturnType<typeof buildPlan> {
  const m = model(units);
  try {
    return buildPlan(m, { name: 'p', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 }, ...config });
  } finally {
    m.dispose();
  }
}

/** A wire plan whose JSON holds `spec` with some fields replaced, hashed as a researcher would. */
function wire(spec: PlanSpec, changes: Record<string, unknown>) {
  return encodePlan({ ...spec, ...changes } as PlanSpec);
}

function refusal(fn: () => unknown): TrainingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TrainingError) return err;
    throw err;
  }
  throw new Error('expected a TrainingError');
}

describe('a plan names its loss and metrics from the registries', () => {
  it('keeps a bare loss name as a string, and a loss given without arguments hashes as its bare name', () => {
    const bare = build({ loss: 'binary_crossentropy' });
    expect(bare.plan.canonicalJson).toContain('"loss":"binary_crossentropy"');
    expect(build({ loss: { name: 'binary_crossentropy' } }).plan.sha256).toBe(bare.plan.sha256);
    expect(build({ loss: { name: 'binary_crossentropy', params: {} } }).plan.sha256).toBe(bare.plan.sha256);
    expect(validatePlan(bare.plan).spec.loss).toBe('binary_crossentropy');
  });

  it('carries loss arguments as { name, params } and validates them on the node', () => {
    const focal = build({ loss: { name: 'focal', params: { gamma: 1, fromLogits: true } } });
    expect(focal.plan.canonicalJson).toContain('"loss":{"name":"focal","params":{"fromLogits":true,"gamma":1}}');
    expect(validatePlan(focal.plan).spec.loss).toEqual({ name: 'focal', params: { fromLogits: true, gamma: 1 } });
  });

  it('refuses an unknown loss, listing the registered ones', () => {
    const { spec } = build({});
    const err = refusal(() => validatePlan(wire(spec, { loss: 'hinge' })));
    expect(err.code).toBe('MALFORMED_PLAN');
    expect(err.message).toMatch(/field "loss": loss "hinge" is not registered; known: .*binary_crossentropy.*cox_ph.*focal/);
    expect(refusal(() => build({ loss: { name: 'hinge', params: { margin: 1 } } })).message).toMatch(/field "loss\.name": loss "hinge" is not registered/);
  });

  it('refuses loss arguments the loss\'s schema refuses, naming the argument', () => {
    const { spec } = build({});
    const outOfRange = refusal(() => validatePlan(wire(spec, { loss: { name: 'focal', params: { alpha: 2 } } })));
    expect(outOfRange.code).toBe('MALFORMED_PLAN');
    expect(outOfRange.message).toMatch(/field "loss\.params\.alpha": .*<=1, got 2/);
    expect(refusal(() => validatePlan(wire(spec, { loss: { name: 'huber', params: { delta: 'wide' } } }))).message).toMatch(/field "loss\.params\.delta": expected number, received string/);
    expect(refusal(() => validatePlan(wire(spec, { loss: { name: 'mse', params: { delta: 1 } } }))).message).toMatch(/field "loss\.params": Unrecognized key: "delta"/);
  });

  it('refuses an unknown metric, listing the registered ones', () => {
    const { spec } = build({});
    const err = refusal(() => validatePlan(wire(spec, { metrics: ['loss', 'auprc'] })));
    expect(err.message).toMatch(/field "metrics\[1\]": metric "auprc" is not registered; known: loss, accuracy, .*concordance_index/);
  });

  it('checks outputs against the classes by the loss\'s target, and one risk score for survival', () => {
    const { spec } = build({ loss: { name: 'focal', params: { gamma: 2 } } }, 3);
    expect(() => checkPlanFitsDataset(spec, { featureShape: [3], numClasses: 2 })).toThrow(/outputs 3 values with focal .*expected 1 outputs/);
    const cox = build({ loss: 'cox_ph', metrics: ['loss', 'concordance_index'] }, 2).spec;
    expect(() => checkPlanFitsDataset(cox, { featureShape: [3], numClasses: 0 })).toThrow(/outputs 2 values with cox_ph, which takes one risk score per sample/);
  });

  it('refuses a survival loss on a classification dataset and a class loss on a survival dataset, saying why', () => {
    const classes = { featureShape: [3], numClasses: 2, target: { kind: 'classes', shape: [1], columns: ['diagnosis'] } } as const;
    const survival = { featureShape: [3], numClasses: 0, target: { kind: 'survival', shape: [2], columns: ['time', 'event'] } } as const;
    const cox = build({ loss: 'cox_ph', metrics: ['loss', 'concordance_index'] }).spec;
    const onClasses = refusal(() => checkPlanFitsDataset(cox, classes));
    expect(onClasses.code).toBe('TARGET_MISMATCH');
    expect(onClasses.message).toBe(
      'plan "p" does not fit the dataset: cox_ph is a survival loss, which reads [time, event] labels, but the dataset\'s labels are 2 classes (diagnosis); ' +
        'register the data with a survival target (CSV option "survival": {"time", "event"}) or choose a loss for classes',
    );
    expect(() => checkPlanFitsDataset(cox, survival)).not.toThrow();

    const logistic = build({}).spec;
    expect(() => checkPlanFitsDataset(logistic, classes)).not.toThrow();
    expect(refusal(() => checkPlanFitsDataset(logistic, survival)).message).toBe(
      'plan "p" does not fit the dataset: the dataset\'s labels are survival [time, event] (time, event), which only a survival loss (cox_ph) reads, but the plan\'s loss binary_crossentropy expects binary',
    );
    const cIndexOnClasses = build({ loss: 'binary_crossentropy', metrics: ['concordance_index'] }).spec;
    expect(refusal(() => checkPlanFitsDataset(cIndexOnClasses, classes)).message).toMatch(/metric concordance_index needs \[time, event\] labels, but the dataset's labels are 2 classes/);
  });

  it('accepts a segmentation loss on masks only from a model shaped like one mask', () => {
    const masks = { featureShape: [3], numClasses: 0, target: { kind: 'mask', shape: [3] } } as const;
    const dice = build({ loss: 'dice' }, 3).spec;
    expect(() => checkPlanFitsDataset(dice, masks)).not.toThrow();
    expect(() => checkPlanFitsDataset(build({ loss: 'binary_crossentropy' }, 3).spec, masks)).not.toThrow();
    const single = refusal(() => checkPlanFitsDataset(build({ loss: 'dice' }, 1).spec, masks));
    expect(single.code).toBe('SHAPE_MISMATCH');
    expect(single.message).toBe('plan "p" outputs [1] but the dataset\'s labels are masks [3]: a segmentation model outputs one value per mask voxel');
    expect(refusal(() => checkPlanFitsDataset(build({ loss: 'categorical_crossentropy' }, 3).spec, masks)).message).toBe(
      'plan "p" does not fit the dataset: categorical_crossentropy reads class ids, but the dataset\'s labels are mask [3]',
    );
  });
});
