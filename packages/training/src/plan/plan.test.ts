import { execFileSync } from 'node:child_process';

import * as tf from '@tensorflow/tfjs';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

import { TrainingError } from '../errors';
import { readWeights } from '../weights';
import { buildPlan, encodePlan, type PlanConfig } from './build-plan';
import { canonicalJson, sha256Hex } from './canonical-json';
import { planToModel } from './plan-model';
import { formatPlanSummary, summarizePlan } from './plan-summary';
import { validatePlan } from './validate-plan';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

const config: PlanConfig = {
  name: 'mlp',
  loss: 'sparse_categorical_crossentropy',
  optimizer: { name: 'adam', learningRate: 0.001, params: { beta1: 0.9 } },
  metrics: ['loss', 'accuracy'],
  preprocessing: [{ name: 'standardize', params: { columns: [0, 1] } }],
};

/** A small deterministic MLP: fixed names and constant initial weights, so every process builds the same one. */
function mlp(units = 8, bias = 0.1): tf.LayersModel {
  return tf.sequential({
    name: 'mlp',
    layers: [
      tf.layers.dense({ name: 'hidden', inputShape: [4], units, activation: 'relu', kernelInitializer: tf.initializers.constant({ value: 0.05 }) }),
      tf.layers.dense({ name: 'out', units: 3, activation: 'softmax', biasInitializer: tf.initializers.constant({ value: bias }), kernelInitializer: 'zeros' }),
    ],
  });
}

describe('canonicalJson', () => {
  it('is independent of key order and writes numbers in one form', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: -0 }], a: 1.5e-7 })).toBe(canonicalJson({ a: 1.5e-7, b: [1, { c: 0, d: 2 }] }));
    expect(canonicalJson({ b: 1, a: [1e21, 0.1, -0] })).toBe('{"a":[1e+21,0.1,0],"b":1}');
  });

  it('refuses values JSON cannot hold exactly', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/\$\.a is NaN/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TrainingError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/refers to itself/);
  });
});

describe('buildPlan', () => {
  it('is stable across processes', () => {
    const here = buildPlan(mlp(), config).plan.sha256;
    // A fresh Node process compiles the sources with SWC, builds the same model and prints the hash.
    const script = `
      const fs = require('node:fs'); const swc = require('@swc/core');
      require.extensions['.ts'] = (m, file) => m._compile(swc.transformSync(fs.readFileSync(file, 'utf8'),
        { filename: file, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }).code, file);
      const tf = require('@tensorflow/tfjs');
      const { buildPlan } = require('./packages/training/src/plan/build-plan.ts');
      const model = tf.sequential({ name: 'mlp', layers: [
        tf.layers.dense({ name: 'hidden', inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tf.initializers.constant({ value: 0.05 }) }),
        tf.layers.dense({ name: 'out', units: 3, activation: 'softmax', biasInitializer: tf.initializers.constant({ value: 0.1 }), kernelInitializer: 'zeros' }) ] });
      const config = ${JSON.stringify({ ...config, optimizer: { params: { beta1: 0.9 }, learningRate: 0.001, name: 'adam' } })};
      process.stdout.write(buildPlan(model, config).plan.sha256);`;
    const there = execFileSync(process.execPath, ['-e', script], { cwd: WORKSPACE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(there).toBe(here);
  });

  it('keeps the hash across differently initialised copies of the same model (approval survives a rerun)', () => {
    // Unseeded Glorot draws: what a script gets on every run.
    const random = (seed?: number): tf.LayersModel =>
      tf.sequential({
        name: 'mlp',
        layers: [
          tf.layers.dense({ name: 'hidden', inputShape: [4], units: 8, activation: 'relu', ...(seed !== undefined && { kernelInitializer: tf.initializers.glorotNormal({ seed }) }) }),
          tf.layers.dense({ name: 'out', units: 3, activation: 'softmax' }),
        ],
      });
    const first = buildPlan(random(), config);
    const second = buildPlan(random(), config);
    expect(second.initialWeights[0]!.values).not.toEqual(first.initialWeights[0]!.values);
    expect(second.plan.sha256).toBe(first.plan.sha256);
    // Seeded initialisers of another kind draw other values, and still run the same plan.
    const seeded = buildPlan(random(7), config);
    expect(seeded.initialWeights[0]!.values).not.toEqual(first.initialWeights[0]!.values);
    expect(seeded.plan.sha256).toBe(first.plan.sha256);
    expect(first.plan.canonicalJson).not.toContain('initializer');
  });

  it('changes the hash with any topology, loss, optimiser, metric or preprocessing change', () => {
    const base = buildPlan(mlp(), config).plan.sha256;
    expect(buildPlan(mlp(), config).plan.sha256).toBe(base);
    expect(buildPlan(mlp(8, 0.1000001), config).plan.sha256).toBe(base);
    const changed = [
      buildPlan(mlp(9), config),
      buildPlan(mlp(), { ...config, loss: 'categorical_crossentropy' }),
      buildPlan(mlp(), { ...config, optimizer: { ...config.optimizer, name: 'rmsprop' } }),
      buildPlan(mlp(), { ...config, optimizer: { ...config.optimizer, learningRate: 0.002 } }),
      buildPlan(mlp(), { ...config, optimizer: { ...config.optimizer, params: { beta1: 0.8 } } }),
      buildPlan(mlp(), { ...config, metrics: ['loss'] }),
      buildPlan(mlp(), { ...config, preprocessing: [] }),
      buildPlan(mlp(), { ...config, preprocessing: [{ name: 'standardize', params: { columns: [0] } }] }),
    ].map((built) => built.plan.sha256);
    expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
  });

  it('keeps weight values out of the JSON but declares their names, shapes and dtypes, and drops library version stamps', () => {
    const built = buildPlan(mlp(), config);
    expect(built.plan.canonicalJson).not.toContain('keras_version');
    expect(built.plan.canonicalJson.length).toBeLessThan(4000);
    expect(built.spec.weights.tensors).toEqual([
      { name: 'hidden/kernel', shape: [4, 8], dtype: 'float32' },
      { name: 'hidden/bias', shape: [8], dtype: 'float32' },
      { name: 'out/kernel', shape: [8, 3], dtype: 'float32' },
      { name: 'out/bias', shape: [3], dtype: 'float32' },
    ]);
    expect(built.plan).toMatchObject({ kind: 'tfjs-layers', name: 'mlp', sha256: sha256Hex(built.plan.canonicalJson) });
    expect(built.spec.inputShape).toEqual([4]);
    expect(built.spec.outputShape).toEqual([3]);
  });

  it('refuses an invalid configuration', () => {
    expect(() => buildPlan(mlp(), { ...config, optimizer: { name: 'sgd', learningRate: -1 } })).toThrow(/optimizer.learningRate/);
  });
});

describe('validatePlan', () => {
  const built = buildPlan(mlp(), config);

  it('accepts a built plan and rebuilds the same model from it', async () => {
    const { spec, sha256 } = validatePlan(built.plan, { dataset: { featureShape: [4], numClasses: 3 } });
    expect(sha256).toBe(built.plan.sha256);
    const model = await planToModel(spec, built.initialWeights);
    expect(readWeights(model)).toEqual(built.initialWeights);
    const again = await planToModel(spec);
    expect(again.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
    model.dispose();
    again.dispose();
  });

  it('refuses a wrong hash, another kind, non-canonical JSON and a renamed plan', () => {
    const fail = (plan: object) => {
      try {
        validatePlan({ ...built.plan, ...plan });
      } catch (err) {
        return (err as TrainingError).code;
      }
      return 'accepted';
    };
    expect(fail({ sha256: '0'.repeat(64) })).toBe('HASH_MISMATCH');
    expect(fail({ kind: 'python' })).toBe('UNSUPPORTED_KIND');
    const pretty = JSON.stringify(JSON.parse(built.plan.canonicalJson), null, 1);
    expect(fail({ canonicalJson: pretty, sha256: sha256Hex(pretty) })).toBe('MALFORMED_PLAN');
    expect(fail({ name: 'other' })).toBe('MALFORMED_PLAN');
    const extra = canonicalJson({ ...JSON.parse(built.plan.canonicalJson), code: 'rm -rf /' });
    expect(fail({ canonicalJson: extra, sha256: sha256Hex(extra) })).toBe('MALFORMED_PLAN');
  });

  it('refuses custom layer classes and custom objects anywhere in the topology', () => {
    const withClass = (edit: (layers: { class_name: string; config: Record<string, unknown> }[]) => void) => {
      const spec = structuredClone(built.spec);
      edit((spec.modelTopology['config'] as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers);
      return () => validatePlan(encodePlan(spec));
    };
    expect(withClass((l) => (l[0]!.class_name = 'EvilLayer'))).toThrow(/modelTopology.config.layers\[0\].class_name is "EvilLayer"/);
    expect(withClass((l) => (l[1]!.config['kernel_initializer'] = { class_name: 'MyInit', config: {} }))).toThrow(/MyInit/);
    expect(withClass((l) => (l[0]!.config['activation'] = 'myActivation'))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_CLASS' }),
    );
  });

  it('refuses a plan whose shapes do not fit the dataset', () => {
    expect(() => validatePlan(built.plan, { dataset: { featureShape: [5], numClasses: 3 } })).toThrow(/expects input \[4\] but the dataset's samples are \[5\]/);
    expect(() => validatePlan(built.plan, { dataset: { featureShape: [4], numClasses: 2 } })).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
  });

  it('refuses a plan whose JSON was edited after hashing, even to change only the weight manifest', () => {
    const edited = structuredClone(built.spec);
    edited.weights.tensors[0]!.shape = [4, 9];
    expect(() => validatePlan({ ...built.plan, canonicalJson: canonicalJson(edited) })).toThrow(
      expect.objectContaining({ code: 'HASH_MISMATCH' }),
    );
  });

  it('refuses weights that do not match the manifest', async () => {
    const reshaped = built.initialWeights.map((w, i) => (i === 1 ? { ...w, shape: [9], values: new Float32Array(9) } : w));
    await expect(planToModel(built.spec, reshaped)).rejects.toThrow(/weight "hidden\/bias" has shape \[9\], expected \[8\]/);
    const weights = built.initialWeights.slice(0, 3);
    await expect(planToModel(built.spec, weights)).rejects.toMatchObject({ code: 'WEIGHTS_MISMATCH' });
    const renamed = built.initialWeights.map((w, i) => (i === 0 ? { ...w, name: 'x/kernel' } : w));
    await expect(planToModel(built.spec, renamed)).rejects.toThrow(/named "x\/kernel", expected "hidden\/kernel"/);
  });
});

describe('summarizePlan', () => {
  it('lists layers with parameter counts and the optimiser', () => {
    const summary = summarizePlan(buildPlan(mlp(), config).spec);
    expect(summary.layers).toEqual([
      { name: 'hidden', className: 'Dense', parameters: 40 },
      { name: 'out', className: 'Dense', parameters: 27 },
    ]);
    expect(summary.totalParameters).toBe(67);
    expect(summary.optimizer).toBe('adam(learningRate=0.001, beta1=0.9)');
    const text = formatPlanSummary(summary);
    expect(text).toContain('Total parameters: 67');
    expect(text).toMatch(/hidden\s+Dense\s+40/);
    expect(text).toContain('standardize {"columns":[0,1],"statistics":"federated"}');
  });
});
