import * as tf from '@tensorflow/tfjs';
import { ArrayDataset } from '@fedbiomed/datasets';
import { createSeededRng } from '@fedbiomed/strategy';

import { buildPlan } from '../plan/build-plan';
import { planToModel } from '../plan/plan-model';
import { validatePlan } from '../plan/validate-plan';
import { evaluateModel } from './evaluate';
import { trainLocal } from './train-local';

tf.env().set('IS_TEST', true);

const BETA = [1, -0.5, 0.25];

/**
 * Proportional-hazards data: three standard normal features, an exponential event time of hazard
 * e^{x·β}, exponential censoring, times rounded to 0.1 so that the set holds ties. Labels are
 * `[time, event]` rows.
 */
function survivalDataset(n: number, seed: number): ArrayDataset {
  const rng = createSeededRng(seed);
  const features = new Float32Array(n * 3);
  const labels = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    let risk = 0;
    for (let k = 0; k < 3; k++) risk += BETA[k]! * (features[i * 3 + k] = rng.nextGaussian());
    const eventTime = -Math.log(1 - rng.nextFloat()) / Math.exp(risk);
    const censorTime = -Math.log(1 - rng.nextFloat()) / 0.3;
    labels[i * 2] = Math.round(Math.min(eventTime, censorTime) * 10) / 10;
    labels[i * 2 + 1] = eventTime <= censorTime ? 1 : 0;
  }
  return new ArrayDataset({
    metadata: { dataType: 'synthetic-survival', featureShape: [3], labelShape: [2], numClasses: 0, dtypes: { features: 'float32', labels: 'float32' } },
    features,
    labels,
  });
}

/** Breslow's Cox loss (mean over events) and Harrell's C-index with lifelines' ties, in float64, written plainly. */
function references(times: number[], events: number[], risks: number[]): { loss: number; cIndex: number } {
  let loss = 0;
  let eventCount = 0;
  let pairs = 0;
  let concordant = 0;
  for (let i = 0; i < times.length; i++) {
    if (!events[i]) continue;
    let atRisk = 0;
    for (let j = 0; j < times.length; j++) {
      if (times[j]! >= times[i]!) atRisk += Math.exp(risks[j]!);
      if (times[i]! < times[j]! || (times[i] === times[j] && !events[j])) {
        pairs++;
        concordant += risks[i]! > risks[j]! ? 1 : risks[i] === risks[j] ? 0.5 : 0;
      }
    }
    loss += Math.log(atRisk) - risks[i]!;
    eventCount++;
  }
  return { loss: loss / eventCount, cIndex: concordant / pairs };
}

describe('survival plans: cox_ph and concordance_index on [time, event] labels', () => {
  const dataset = survivalDataset(240, 17);
  const all = Array.from({ length: dataset.size }, (_, i) => i);
  const trainIndices = all.slice(0, 180);
  const testIndices = all.slice(180);

  function survivalPlan() {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, useBias: false, kernelInitializer: 'glorotUniform', name: 'risk' })] });
    const built = buildPlan(model, { name: 'cox', loss: 'cox_ph', optimizer: { name: 'adam', learningRate: 0.05 }, metrics: ['loss', 'concordance_index'] });
    model.dispose();
    return built;
  }

  it('evaluates the plan loss over the whole test set and the C-index, as plain references do', async () => {
    const built = survivalPlan();
    const { spec } = validatePlan(built.plan, { dataset: { featureShape: [3], numClasses: 0 } });
    const model = await planToModel(spec, built.initialWeights);
    try {
      // Batches of 16 do not change the result: risk sets span the whole evaluated set.
      const result = await evaluateModel({ model, loss: spec.loss, metrics: spec.metrics, dataset, indices: testIndices, batchSize: 16 });
      const risks = Array.from(tf.tidy(() => (model.predict(tf.tensor2d(testIndices.flatMap((i) => Array.from(dataset.features(i))), [testIndices.length, 3])) as tf.Tensor).dataSync()));
      const times = testIndices.map((i) => dataset.label(i)[0]!);
      const events = testIndices.map((i) => dataset.label(i)[1]!);
      const expected = references(times, events, risks);
      expect(result.sampleCount).toBe(testIndices.length);
      expect(result.values['loss']).toBeCloseTo(expected.loss, 4);
      expect(result.values['concordance_index']).toBeCloseTo(expected.cIndex, 10);
    } finally {
      model.dispose();
    }
  });

  it('trains a Cox model through the loop: the loss falls and the C-index rises well above chance', async () => {
    const built = survivalPlan();
    const result = await trainLocal({
      plan: built.spec,
      weights: built.initialWeights,
      dataset,
      trainIndices,
      testIndices,
      args: { epochs: 15, batchSize: 32, randomSeed: 5, testOnGlobalUpdates: true, testOnLocalUpdates: true },
    });
    const before = result.metricsBefore!.values;
    const after = result.metricsAfter!.values;
    expect(after['loss']).toBeLessThan(before['loss']!);
    expect(after['concordance_index']).toBeGreaterThan(0.7);
    expect(after['concordance_index']).toBeGreaterThan(before['concordance_index']!);
  });
});
