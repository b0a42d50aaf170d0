import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HEART_DISEASE_CENTERS, openHeartDisease } from '@fedbiomed/datasets';
import { createTransportFederation, Experiment } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { rocAuc } from '@fedbiomed/training';
import { DEMO_DATA_DIR } from './demo-command';
import { buildHeartDiseasePlan } from './heart-disease-plan';
import { startInProcessFederation, type InProcessFederation } from './cli-test-support.test.helper';
import { approvePlanAsOperator } from './local-nodes';

tf.env().set('IS_TEST', true);

// Real parts: the 4 Fed-Heart-Disease hospitals as @fedbiomed/node runtimes (own folder, SQLite
// registry, plan approval) in this process, a ResearcherServer over gRPC on loopback, FLamby's split.
describe('roc_auc_pooled through a real federation of the 4 Fed-Heart-Disease hospitals', () => {
  let federation: InProcessFederation;

  beforeAll(async () => {
    federation = await startInProcessFederation('fedbiomed-pooled-auc-', (folder) =>
      HEART_DISEASE_CENTERS.map((center, index) => ({
        dir: join(folder, center),
        nodeId: `center-${index}`,
        nodeName: center,
        dataset: { dataType: 'heart-disease', path: DEMO_DATA_DIR, options: { center: index }, tags: ['fed-heart-disease'] },
      })),
    );
  }, 60_000);

  afterAll(() => federation.stop());

  it("equals the AUC of all hospitals' test scores at once within its error bound, beside the sample-weighted mean", async () => {
    const plan = buildHeartDiseasePlan({ learningRate: 0.01, seed: 42, metrics: ['roc_auc'] });
    for (const center of HEART_DISEASE_CENTERS) approvePlanAsOperator(join(federation.folders.path, center), plan.plan, 'test');
    const experiment = new Experiment({
      tags: ['fed-heart-disease'],
      plan,
      strategy: new FedAvg(),
      rounds: 1,
      trainingArgs: { numUpdates: 20, batchSize: 4 },
      metrics: ['roc_auc'],
      minNodes: 4,
      server: createTransportFederation(federation.server),
      seed: 42,
    });
    await experiment.run();
    const evaluation = await experiment.evaluate();

    // The AUC of the concatenated test scores, computed here from the same data and global model.
    const model = await experiment.model();
    const labels: number[] = [];
    const scores: number[] = [];
    try {
      for (const index of [0, 1, 2, 3] as const) {
        const { dataset, split } = await openHeartDisease({ dir: DEMO_DATA_DIR, center: index });
        for (const batch of dataset.batches({ indices: split.test, batchSize: 512 })) {
          const predicted = model.predict(batch.xs) as tf.Tensor;
          scores.push(...(await predicted.data()));
          labels.push(...(await batch.ys.data()));
          tf.dispose([predicted, batch.xs, batch.ys]);
        }
      }
    } finally {
      model.dispose();
      experiment.close();
    }
    const exact = rocAuc(labels, scores);
    const pooled = evaluation.pooled['roc_auc_pooled'];

    expect([...(pooled?.nodeIds ?? [])].sort()).toEqual(['center-0', 'center-1', 'center-2', 'center-3']);
    expect(pooled?.sampleCount).toBe(254);
    expect(pooled?.errorBound).toBeLessThan(0.01);
    expect(Math.abs((pooled?.value ?? Number.NaN) - exact)).toBeLessThanOrEqual((pooled?.errorBound ?? 0) + 1e-9);
    expect(evaluation.metrics.values['roc_auc_pooled']).toBe(pooled?.value);
    // The sample-weighted mean of per-hospital AUCs is a different figure, still reported.
    const perNode = evaluation.nodes.map((n) => n.metrics.values['roc_auc'] ?? Number.NaN);
    const weighted = evaluation.nodes.reduce((sum, n, i) => sum + perNode[i]! * n.metrics.sampleCount, 0) / evaluation.metrics.sampleCount;
    expect(evaluation.metrics.values['roc_auc']).toBeCloseTo(weighted, 12);
  }, 120_000);
});
