import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { buildPlan, encodePlan } from '../plan/build-plan';
import { formatPlanSummary, summarizePlan } from '../plan/plan-summary';
import type { PlanSpec } from '../plan/plan-spec';
import { validatePlan } from '../plan/validate-plan';
import { trainLocal } from '../loop/train-local';
import { ArrayDataset } from '@fedbiomed/datasets';
import { definePlugin, pluginItemName, type PluginDefinition } from './plugin';
import { findPlugin, registerPlugin } from './plugin-registry';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

/** Multiplies its input by a constant: a custom layer without weights. */
class TimesTwo extends tf.layers.Layer {
  static className = 'TestTimesTwo';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, 2));
  }
}

const definition: PluginDefinition = {
  name: '@lab/test-plugin',
  version: '1.2.0',
  description: 'for tests',
  losses: [
    {
      name: 'half_mse',
      description: 'half the mean squared error',
      target: 'values',
      params: z.strictObject({}),
      outputs: () => 'values',
      fn: (labels: tf.Tensor, outputs: tf.Tensor) => tf.mul(0.5, tf.losses.meanSquaredError(labels.reshape(outputs.shape), outputs)) as tf.Scalar,
    },
  ],
  metrics: [{ name: 'max_error', description: 'largest error', needs: 'values', higherIsBetter: false, compute: ({ yTrue, yPred }) => Math.max(...yTrue.map((y, i) => Math.abs(y - yPred[i]!))) }],
  layers: [TimesTwo],
};

function model(): tf.LayersModel {
  return tf.sequential({
    name: 'tiny',
    layers: [tf.layers.dense({ name: 'd', inputShape: [2], units: 1, kernelInitializer: 'zeros' }), new TimesTwo({ name: 'twice' })],
  });
}

const planConfig = {
  name: 'with-plugin',
  loss: pluginItemName(definition, 'half_mse'),
  optimizer: { name: 'sgd' as const, learningRate: 0.3 },
  metrics: ['loss', pluginItemName(definition, 'max_error')],
};

/** The plan re-encoded with `edit` applied to its JSON (a new hash, as a researcher would send). */
function edited(spec: PlanSpec, edit: (json: string) => string) {
  return encodePlan(JSON.parse(edit(JSON.stringify(spec))) as PlanSpec);
}

describe('definePlugin', () => {
  it('refuses a malformed definition naming the field', () => {
    expect(() => definePlugin({ ...definition, version: '^1.2.0' })).toThrow(/plug-in "@lab\/test-plugin": .*version.*exact version/);
    expect(() => definePlugin({ ...definition, losses: [{ ...definition.losses![0]!, name: 'Half-MSE' }] })).toThrow(/losses.*snake_case/);
    expect(() => definePlugin({ ...definition, layers: [class {} as never] })).toThrow(/layers.*static className/);
    expect(() => definePlugin({ ...definition, metrics: [definition.metrics![0]!, definition.metrics![0]!] })).toThrow(/two metrics share a name/);
  });
});

describe('a plan using a registered plug-in', () => {
  beforeAll(() => registerPlugin(definePlugin(definition)));

  it('registers items under package@version/name and refuses a second registration', () => {
    expect(findPlugin('@lab/test-plugin')).toMatchObject({
      version: '1.2.0',
      losses: ['@lab/test-plugin@1.2.0/half_mse'],
      metrics: ['@lab/test-plugin@1.2.0/max_error'],
      layers: ['TestTimesTwo'],
    });
    expect(() => registerPlugin(definePlugin({ ...definition, version: '1.3.0' }))).toThrow(/@lab\/test-plugin is already registered \(version 1\.2\.0\)/);
    class Dense extends TimesTwo {
      static override className = 'Dense';
    }
    expect(() => registerPlugin(definePlugin({ ...definition, name: 'other', layers: [Dense] }))).toThrow(/layer class "Dense" is already known to tfjs/);
    expect(findPlugin('other')).toBeUndefined();
  });

  it('lists the plug-in in the plan, its summary and its hash, and trains', async () => {
    const built = buildPlan(model(), planConfig);
    expect(built.spec.plugins).toEqual([{ package: '@lab/test-plugin', version: '1.2.0', layers: ['TestTimesTwo'] }]);
    expect(validatePlan(built.plan).sha256).toBe(built.plan.sha256);
    expect(formatPlanSummary(summarizePlan(built.spec))).toContain('Plug-ins: @lab/test-plugin@1.2.0 (layers: TestTimesTwo)');
    // A plan without plug-ins keeps the layout (and hash) it had before plug-ins existed.
    expect(buildPlan(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), { ...planConfig, loss: 'mse', metrics: ['loss'] }).spec).not.toHaveProperty('plugins');

    const features = Float32Array.from({ length: 40 }, (_, i) => (i % 7) / 7);
    const labels = Float32Array.from({ length: 20 }, (_, i) => 2 * (features[2 * i]! - features[2 * i + 1]!));
    const dataset = new ArrayDataset({ metadata: { dataType: 't', featureShape: [2], labelShape: [1], numClasses: 0, dtypes: { features: 'float32', labels: 'float32' } }, features, labels });
    const all = Array.from({ length: 20 }, (_, i) => i);
    const result = await trainLocal({ plan: built.spec, weights: built.initialWeights, dataset, trainIndices: all, testIndices: all, args: { epochs: 200, batchSize: 20, randomSeed: 1, testOnLocalUpdates: true } });
    expect(Object.keys(result.metricsAfter!.values)).toEqual(['loss', '@lab/test-plugin@1.2.0/max_error']);
    expect(result.metricsAfter!.values['loss']).toBeLessThan(0.01);
  });

  it('refuses a plan needing another version or an unknown plug-in, naming package@version', () => {
    const { spec, plan } = buildPlan(model(), planConfig);
    const other = edited(spec, (json) => json.replaceAll('1.2.0', '1.3.0'));
    expect(other.sha256).not.toBe(plan.sha256);
    expect(() => validatePlan(other)).toThrow(expect.objectContaining({ code: 'PLUGIN_MISSING' }));
    expect(() => validatePlan(other)).toThrow('plan "with-plugin" needs the plug-in @lab/test-plugin@1.3.0 (installed: 1.2.0), not installed here');
    const unknown = edited(spec, (json) => json.replaceAll('@lab/test-plugin', '@lab/absent'));
    expect(() => validatePlan(unknown)).toThrow('needs the plug-in @lab/absent@1.2.0, not installed here');
  });

  it('refuses plug-in items the plan does not declare', () => {
    const { spec } = buildPlan(model(), planConfig);
    const undeclared = edited(spec, (json) => json.replace(/,"plugins":\[[^\]]*\]\}\]/, ''));
    expect(() => validatePlan(undeclared)).toThrow(/uses "@lab\/test-plugin@1\.2\.0\/half_mse" but does not list the plug-in @lab\/test-plugin@1\.2\.0/);
    const layerOnly = buildPlan(model(), { ...planConfig, loss: 'mse', metrics: ['loss'] });
    const hidden = edited(layerOnly.spec, (json) => json.replace(/,"plugins":\[[^\]]*\]\}\]/, ''));
    expect(() => validatePlan(hidden)).toThrow(/class_name is "TestTimesTwo", not a class built into tfjs; plans may not carry custom layers or objects other than the layers of plug-ins they list/);
    const wrongLayer = edited(layerOnly.spec, (json) => json.replace('"layers":["TestTimesTwo"]', '"layers":["TestTimesTwo","Nope"]'));
    expect(() => validatePlan(wrongLayer)).toThrow(/takes layer "Nope" from the plug-in @lab\/test-plugin@1\.2\.0, which provides no such layer/);
  });
});
