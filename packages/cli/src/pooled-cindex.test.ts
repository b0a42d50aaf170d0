import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '@fedbiomed/datasets';
import { createTransportFederation, Experiment } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { buildPlan, concordanceIndex } from '@fedbiomed/training';
import { startInProcessFederation, type InProcessFederation } from './cli-test-support.test.helper';
import { approvePlanAsOperator } from './local-nodes';

tf.env().set('IS_TEST', true);

const BETA = [0.9, -0.6, 0.3];
/** Per centre: rows, Weibull scale of the baseline hazard, censoring horizon (different follow-ups). */
const CENTRES = [
  { rows: 120, scale: 4, horizon: 8 },
  { rows: 200, scale: 9, horizon: 25 },
  { rows: 80, scale: 2, horizon: 3 },
] as const;

/** Proportional-hazards rows `x1,x2,x3,time,event,split` (Weibull baseline, uniform censoring), every fourth a test row. */
function centreCsv(seed: number, centre: (typeof CENTRES)[number]): { text: string; test: { x: number[]; time: number; event: number }[] } {
  const random = createRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lines = ['x1,x2,x3,time,event,split'];
  const test: { x: number[]; time: number; event: number }[] = [];
  for (let i = 0; i < centre.rows; i++) {
    const x = BETA.map(() => Number(normal().toFixed(4)));
    const eta = x.reduce((sum, v, k) => sum + v * BETA[k]!, 0);
    const eventTime = centre.scale * Math.pow(-Math.log(1 - random()) / Math.exp(eta), 1 / 1.5);
    const censorTime = centre.horizon * random();
    const time = Number(Math.min(eventTime, censorTime).toFixed(4));
    const event = eventTime <= censorTime ? 1 : 0;
    const split = i % 4 === 3 ? 'test' : 'train';
    lines.push([...x, time, event, split].join(','));
    if (split === 'test') test.push({ x, time, event });
  }
  return { text: `${lines.join('\n')}\n`, test };
}

// Real parts: 3 survival centres as @fedbiomed/node runtimes (own folder, SQLite registry, CSV
// dataset with a survival target and its own split, plan approval) in this process, a
// ResearcherServer over gRPC on loopback, a linear Cox model trained with FedAvg.
describe('concordance_index_pooled through a real federation of 3 survival centres', () => {
  let federation: InProcessFederation;
  const testRows: { x: number[]; time: number; event: number }[] = [];

  beforeAll(async () => {
    federation = await startInProcessFederation('fedbiomed-pooled-cindex-', (folder) =>
      CENTRES.map((centre, index) => {
        const csv = centreCsv(100 + index, centre);
        testRows.push(...csv.test);
        const file = join(folder, `centre-${index}.csv`);
        writeFileSync(file, csv.text);
        const options = { survival: { time: 'time', event: 'event' }, split: { column: 'split' } };
        return { dir: join(folder, `node-${index}`), nodeId: `centre-${index}`, nodeName: `Centre ${index}`, dataset: { dataType: 'csv', path: file, options, tags: ['survival'] } };
      }),
    );
  }, 60_000);

  afterAll(() => federation.stop());

  it("equals the C-index of all centres' test rows at once within its error bound, beside the sample-weighted mean", async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, useBias: false, kernelInitializer: 'zeros', name: 'risk' })] });
    const plan = buildPlan(model, { name: 'cox', loss: 'cox_ph', optimizer: { name: 'adam', learningRate: 0.05 }, metrics: ['concordance_index'] });
    model.dispose();
    for (const index of CENTRES.keys()) approvePlanAsOperator(join(federation.folders.path, `node-${index}`), plan.plan, 'test');
    const experiment = new Experiment({
      tags: ['survival'],
      plan,
      strategy: new FedAvg(),
      rounds: 2,
      trainingArgs: { epochs: 5, batchSize: 32 },
      metrics: ['concordance_index'],
      minNodes: 3,
      server: createTransportFederation(federation.server),
      seed: 7,
    });
    let evaluation: Awaited<ReturnType<Experiment['evaluate']>>;
    let risks: Float32Array;
    try {
      await experiment.run();
      evaluation = await experiment.evaluate();
      // The exact C-index of the concatenated test rows, computed here from the same data and global model.
      const global = await experiment.model();
      risks = tf.tidy(() => (global.predict(tf.tensor2d(testRows.map((r) => r.x))) as tf.Tensor).dataSync() as Float32Array);
      global.dispose();
    } finally {
      experiment.close();
    }
    const exact = concordanceIndex(Float32Array.from(testRows, (r) => r.time), Float32Array.from(testRows, (r) => r.event), risks);
    const pooled = evaluation.pooled['concordance_index_pooled'];

    expect(evaluation.failures).toEqual([]);
    // In the order the replies arrived.
    expect([...(pooled?.nodeIds ?? [])].sort()).toEqual(['centre-0', 'centre-1', 'centre-2']);
    expect(pooled?.sampleCount).toBe(testRows.length);
    expect(pooled?.errorBound).toBeLessThan(0.01);
    expect(Math.abs((pooled?.value ?? Number.NaN) - exact)).toBeLessThanOrEqual((pooled?.errorBound ?? 0) + 1e-9);
    expect(exact).toBeGreaterThan(0.6);
    expect(evaluation.metrics.values['concordance_index_pooled']).toBe(pooled?.value);
    // The sample-weighted mean of per-centre C-indices, still reported beside it.
    const weighted = evaluation.nodes.reduce((sum, n) => sum + (n.metrics.values['concordance_index'] ?? Number.NaN) * n.metrics.sampleCount, 0) / evaluation.metrics.sampleCount;
    expect(evaluation.metrics.sampleCount).toBe(testRows.length);
    expect(evaluation.metrics.values['concordance_index']).toBeCloseTo(weighted, 12);
    // Pairs across centres (different baselines and follow-ups) are what the mean leaves out.
    expect(evaluation.metrics.values['concordance_index']).not.toBeCloseTo(pooled?.value ?? Number.NaN, 3);
  }, 120_000);
});
