/**
 * A survival dataset carrying its own split, registered on a node and trained and evaluated over
 * real gRPC on loopback: the node reports the target and split at search time, uses its own split
 * whatever test ratio a request asks, refuses plans whose loss reads other labels, and refuses test
 * metrics on a dataset without a test split.
 */
import * as tf from '@tensorflow/tfjs';
import { createSeededRng } from '@fedbiomed/strategy';
import { buildPlan, concordanceHistogram, concordanceIndex, evenEdges, planToModel, type BuiltPlan, type ConcordanceBinning } from '@fedbiomed/training';
import { asFloat32Array, float32Tensor, packTensors, type ResearcherServer } from '@fedbiomed/transport';
import type { Node } from './node';
import { logisticPlan, loopbackNode, remoteError, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices, type LoopbackNode } from './testing/fixtures';

jest.setTimeout(120_000);

const ROWS = 200;
const BETA = [1, -0.5, 0.25];

/** Proportional-hazards rows `x1,x2,x3,time,event,split`: every fourth row is a test row. */
function survivalCsv(): { text: string; testRows: number[][] } {
  const rng = createSeededRng(11);
  const lines = ['x1,x2,x3,time,event,split'];
  const testRows: number[][] = [];
  for (let i = 0; i < ROWS; i++) {
    const x = BETA.map(() => rng.nextGaussian());
    const risk = x.reduce((sum, v, k) => sum + v * BETA[k]!, 0);
    const eventTime = -Math.log(1 - rng.nextFloat()) / Math.exp(risk);
    const censorTime = -Math.log(1 - rng.nextFloat()) / 0.3;
    const time = Math.round(Math.min(eventTime, censorTime) * 100) / 100;
    const event = eventTime <= censorTime ? 1 : 0;
    const part = i % 4 === 3 ? 'test' : 'train';
    lines.push([...x.map((v) => v.toFixed(4)), time, event, part].join(','));
    if (part === 'test') testRows.push([...x.map((v) => Number(v.toFixed(4))), time, event]);
  }
  return { text: `${lines.join('\n')}\n`, testRows };
}

function coxPlan(features: number): BuiltPlan {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [features], units: 1, useBias: false, kernelInitializer: 'zeros', name: 'risk' })] });
  try {
    return buildPlan(model, { name: 'cox', loss: 'cox_ph', optimizer: { name: 'adam', learningRate: 0.05 }, metrics: ['loss', 'concordance_index'] });
  } finally {
    model.dispose();
  }
}

describe('targets and fixed splits on a running node', () => {
  let loopback: LoopbackNode;
  let server: ResearcherServer;
  let node: Node;
  let survivalId: string;
  let wdbcId: string;
  let testRows: number[][];
  const cox = coxPlan(3);
  const coxOnWdbc = coxPlan(30);
  const logistic = logisticPlan(30);

  beforeAll(async () => {
    loopback = await loopbackNode('hospital-s');
    ({ server, node } = loopback);
    const csv = survivalCsv();
    testRows = csv.testRows;
    const file = loopback.tmp.write('survival.csv', csv.text);
    const options = { survival: { time: 'time', event: 'event' }, split: { column: 'split' } };
    survivalId = (await node.datasets.add({ dataType: 'csv', path: file, tags: ['survival'], options }, 'alice')).id;
    const [wdbc] = writeWdbcSlices(loopback.tmp.path, 1);
    wdbcId = (await node.datasets.add({ dataType: 'csv', path: wdbc!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    for (const built of [cox, coxOnWdbc, logistic]) approve(built);
    await loopback.start();
  });

  afterAll(() => loopback.stop());

  const approve = (built: BuiltPlan): void => {
    node.plans.submit(built.plan, { by: 'alice' });
    node.plans.approve(built.plan.sha256, { by: 'alice' });
  };

  const evaluate = (built: BuiltPlan, datasetId: string, weights: readonly Float32Array[], testRatio: number, experimentId: string, concordanceBinning?: ConcordanceBinning) => {
    const payload = packTensors(built.initialWeights.map((w, i) => float32Tensor(w.name, w.shape, weights[i] ?? w.values)));
    const binning = concordanceBinning ? { concordanceBinning: { timeEdges: [...concordanceBinning.timeEdges], riskEdges: [...concordanceBinning.riskEdges] } } : {};
    return server.request(
      'hospital-s',
      { experimentId, evaluate: { datasetId, plan: built.plan, weights: payload.set, metrics: [...built.spec.metrics], testRatio, randomSeed: 7, ...binning } },
      { tensors: [payload], timeoutMs: 60_000 },
    );
  };

  it('reports the target and the fixed split at search time', async () => {
    const { reply } = await server.request('hospital-s', { search: { tags: ['survival'] } }, { timeoutMs: 10_000 });
    const [found] = reply.search?.datasets ?? [];
    expect(found).toMatchObject({ id: survivalId, targetKind: 'survival', labelColumns: ['time', 'event'], numClasses: 0 });
    expect(found?.labelShape.map(Number)).toEqual([2]);
    expect(found?.fixedSplit).toMatchObject({ source: 'column "split"' });
    expect([Number(found?.fixedSplit?.trainCount), Number(found?.fixedSplit?.testCount)]).toEqual([150, 50]);
    const wdbc = await server.request('hospital-s', { search: { tags: ['wdbc'] } }, { timeoutMs: 10_000 });
    expect(wdbc.reply.search?.datasets[0]).toMatchObject({ targetKind: 'classes', fixedSplit: null });
  });

  it('trains cox_ph on its own split whatever testRatio asks, and reports the C-index of its own test rows', async () => {
    const first = trainRequest(cox, survivalId, { experimentId: 'surv-1', args: { epochs: 20, batchSize: 32, testRatio: 0.3, metrics: ['loss', 'concordance_index'] } });
    const { reply, tensors } = await server.request('hospital-s', first.request, { tensors: [first.payload], timeoutMs: 60_000 });
    const train = reply.train!;
    // Samples processed: 20 epochs over the 150 rows the file marks as train.
    expect(Number(train.sampleCount)).toBe(20 * 150);
    expect(Number(train.metricsAfter!.sampleCount)).toBe(50);
    expect(train.metricsAfter!.values['concordance_index']).toBeGreaterThan(0.65);
    const weights = tensors.get(train.weights!.transferId)!.map((t) => asFloat32Array(t));

    const evaluated = (await evaluate(cox, survivalId, weights, 0.5, 'surv-2')).reply.evaluate!.metrics!;
    expect(Number(evaluated.sampleCount)).toBe(50);
    // The C-index of exactly the rows the file marks as test, computed here from the trained weights.
    const model = await planToModel(cox.spec, cox.initialWeights.map((w, i) => ({ ...w, values: weights[i]! })));
    const risks = tf.tidy(() => (model.predict(tf.tensor2d(testRows.map((r) => r.slice(0, 3)))) as tf.Tensor).dataSync() as Float32Array);
    model.dispose();
    const expected = concordanceIndex(Float32Array.from(testRows, (r) => r[3]!), Float32Array.from(testRows, (r) => r[4]!), risks);
    expect(evaluated.values['concordance_index']).toBeCloseTo(expected, 6);
    expect(evaluated.values['concordance_index']).toBeGreaterThan(0.65);
    // No split was cut for either experiment: the dataset's own is used as is.
    expect([...node.repository.listStateKeys('surv-1'), ...node.repository.listStateKeys('surv-2')].map((k) => k.key)).not.toContainEqual(expect.stringMatching(/^split:/));
  });

  it('answers a concordance binning with counts per survival cell and its exact pair counts, and refuses an unusable one', async () => {
    const weights = [Float32Array.from(BETA)];
    const binning = { timeEdges: evenEdges(0.25, 4, 16), riskEdges: evenEdges(-3, 3, 25) };
    const { reply } = await evaluate(cox, survivalId, weights, 0, 'surv-binned', binning);
    const histogram = reply.evaluate!.concordanceHistogram!;
    // What the node computes from its own test rows and the same model, and nothing else.
    const risks = Float32Array.from(testRows, (r) => r.slice(0, 3).reduce((sum, v, k) => sum + v * BETA[k]!, 0));
    const expected = concordanceHistogram(Float32Array.from(testRows, (r) => r[3]!), Float32Array.from(testRows, (r) => r[4]!), risks, binning);
    expect(histogram.counts.map(Number).reduce((a, c) => a + c, 0)).toBe(50);
    expect({ ...histogram, counts: histogram.counts.map(Number), comparablePairs: Number(histogram.comparablePairs), concordantPairs: Number(histogram.concordantPairs), tiedRiskPairs: Number(histogram.tiedRiskPairs) }).toEqual(expected);
    const { reply: without } = await evaluate(cox, survivalId, weights, 0, 'surv-unbinned');
    expect(without.evaluate!.concordanceHistogram).toBeNull();
    const refused = await remoteError(evaluate(cox, survivalId, weights, 0, 'surv-bad-bins', { timeEdges: [2, 1], riskEdges: [] }));
    expect(refused.message).toContain('concordance binning: time edges are not strictly increasing at edge 1 (2 then 1)');
  });

  it('refuses a survival loss on a classification dataset, and a class loss on a survival dataset, saying why', async () => {
    const onClasses = trainRequest(coxOnWdbc, wdbcId, { args: { metrics: ['loss'] } });
    const refused = await remoteError(server.request('hospital-s', onClasses.request, { tensors: [onClasses.payload], timeoutMs: 30_000 }));
    expect(refused.message).toContain('cox_ph is a survival loss, which reads [time, event] labels, but the dataset\'s labels are 2 classes');
    const logistic3 = (() => {
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, activation: 'sigmoid' })] });
      try {
        return buildPlan(model, { name: 'logistic-3', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 } });
      } finally {
        model.dispose();
      }
    })();
    approve(logistic3);
    const onSurvival = trainRequest(logistic3, survivalId, { args: { metrics: ['loss'] } });
    const refusedToo = await remoteError(server.request('hospital-s', onSurvival.request, { tensors: [onSurvival.payload], timeoutMs: 30_000 }));
    expect(refusedToo.message).toContain('the dataset\'s labels are survival [time, event] (time, event), which only a survival loss (cox_ph) reads');
  });

  it('refuses test metrics on a dataset without a test split instead of scoring training rows', async () => {
    const weights = logistic.initialWeights.map((w) => w.values);
    const refused = await remoteError(evaluate(logistic, wdbcId, weights, 0, 'no-test'));
    expect(refused.remoteCode).toBe('ERROR_CODE_MALFORMED');
    expect(refused.message).toContain(
      `evaluate reports metrics on test rows, but dataset ${wdbcId} (wdbc) has no test split: the request's testRatio is 0 and the dataset carries no split of its own; ` +
        'set testRatio above 0 in the experiment, or register the dataset with a split column or file (CSV option "split")',
    );
    const train = trainRequest(logistic, wdbcId, { experimentId: 'no-test', args: { testRatio: 0 } });
    const trainRefused = await remoteError(server.request('hospital-s', train.request, { tensors: [train.payload], timeoutMs: 30_000 }));
    expect(trainRefused.message).toContain('the train request asks for test metrics (testOnGlobalUpdates/testOnLocalUpdates), but dataset');
    expect(node.audit({ action: 'evaluate', limit: 1 })[0]).toMatchObject({ outcome: 'refused' });
  });
});
