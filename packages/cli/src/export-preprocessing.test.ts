/**
 * A model exported from a federation standardised with federated statistics predicts on raw rows
 * exactly as the nodes do. Real parts: a researcher server and three node runtimes (`startNode`,
 * as `fedbiomed node start` runs it) on gRPC over loopback, each with its own SQLite registry and
 * a third of WDBC.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createNode, initNodeFolder, startNode, type Node, type RunningNode } from '@fedbiomed/node';
import { createTransportFederation, Experiment } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { bundledDataset, makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { buildPlan, loadModel, PREPROCESSING_FILE, type BuiltPlan } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';

// tfjs's own switch for tests: no "install tfjs-node" banner in the test output.
tf.env().set('IS_TEST', true);
jest.setTimeout(120_000);

const TOKEN = 'export-preprocessing-token';
const NODES = 3;
const TEST_RATIO = 0.25;
const SEED = 11;
const SILENT = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** WDBC's rows as numbers: 30 features, then the label. */
function wdbcRows(): number[][] {
  const lines = readFileSync(bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => line.split(',').map(Number));
}

function standardizePlan(): BuiltPlan {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [30], units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })],
  });
  try {
    // No `statistics` parameter: federated is the default.
    return buildPlan(model, {
      name: 'wdbc-logreg',
      loss: 'binary_crossentropy',
      optimizer: { name: 'sgd', learningRate: 0.1 },
      metrics: ['accuracy'],
      preprocessing: [{ name: 'standardize', params: {} }],
    });
  } finally {
    model.dispose();
  }
}

describe('exporting a model trained with federated standardisation', () => {
  let tmp: TempDir;
  let server: ResearcherServer;
  const nodes: Node[] = [];
  const running: RunningNode[] = [];
  const rows = wdbcRows();
  const slices = Array.from({ length: NODES }, (_, part) => rows.filter((_, i) => i % NODES === part));
  const datasetIds: string[] = [];
  const built = standardizePlan();

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-export-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], researcherId: 'researcher-export', logger: SILENT });
    const port = await server.start();
    for (let i = 0; i < NODES; i += 1) {
      const dir = join(tmp.path, `node-${i}`);
      const config = initNodeFolder(dir, {
        nodeId: `hospital-${i}`,
        nodeName: `Hospital ${i}`,
        researcher: { address: `127.0.0.1:${port}`, enrolmentToken: TOKEN },
        logLevel: 'silent',
      });
      const node = createNode({ dir, config });
      nodes.push(node);
      const file = join(tmp.path, `wdbc-${i}.csv`);
      writeFileSync(file, `${slices[i]!.map((row) => row.join(',')).join('\n')}\n`);
      const options = { header: false, label: 30, task: 'classification' };
      datasetIds.push((await node.datasets.add({ dataType: 'csv', path: file, tags: ['wdbc'], options }, 'operator')).id);
      node.plans.submit(built.plan, { by: 'operator' });
      node.plans.approve(built.plan.sha256, { by: 'operator' });
      running.push(await startNode(node));
    }
  });

  afterAll(async () => {
    await Promise.all(running.map((node) => node.stop()));
    await server.stop();
    nodes.forEach((node) => node.close());
    tmp.dispose();
  });

  it('pools the train statistics exactly, and loadModel(export) predicts on raw rows as the nodes do; a resumed experiment keeps the statistics', async () => {
    const experimentDir = join(tmp.path, 'experiment');
    const federation = createTransportFederation(server);
    const experiment = new Experiment({
      tags: ['wdbc'],
      plan: built,
      strategy: new FedAvg(),
      rounds: 2,
      trainingArgs: { epochs: 2, batchSize: 16 },
      testRatio: TEST_RATIO,
      minNodes: NODES,
      seed: SEED,
      experimentDir,
      server: federation,
    });
    await experiment.run();
    const exportDir = join(tmp.path, 'export');
    await experiment.exportModel(exportDir);
    experiment.close();

    // The split each node cut and the statistics it standardised with, as kept in its registry.
    const state = (i: number, key: string): unknown =>
      JSON.parse(nodes[i]!.repository.getState({ experimentId: experiment.id, datasetId: datasetIds[i]!, key })!.toString('utf8'));
    const splits = nodes.map((_, i) => state(i, `split:${TEST_RATIO}:${SEED}`) as { train: number[]; test: number[] });
    const received = nodes.map((_, i) => state(i, 'standardization') as { mean: number[]; scale: number[] });

    // Pooled statistics = those of the concatenated train rows (population std, in float64 over the
    // float32 features a node's dataset holds).
    const trainRows = splits.flatMap((split, i) => split.train.map((index) => slices[i]![index]!.slice(0, 30).map(Math.fround)));
    const mean = Array.from({ length: 30 }, (_, j) => trainRows.reduce((s, row) => s + row[j]!, 0) / trainRows.length);
    const std = mean.map((m, j) => Math.sqrt(trainRows.reduce((s, row) => s + (row[j]! - m) ** 2, 0) / trainRows.length));
    const pooled = experiment.standardization!;
    expect(pooled.sampleCount).toBe(trainRows.length);
    pooled.mean.forEach((m, j) => expect(Math.abs(m - mean[j]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(mean[j]!))));
    pooled.scale.forEach((s, j) => expect(Math.abs(s - std[j]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, std[j]!)));
    for (const stats of received) expect(stats).toEqual({ mean: pooled.mean, scale: pooled.scale });

    // The export: preprocessing.json beside model.json, and a model that takes raw rows.
    const manifest = JSON.parse(readFileSync(join(exportDir, PREPROCESSING_FILE), 'utf8'));
    expect(manifest).toMatchObject({ format: 'fedbiomed-preprocessing', version: 1, inputShape: [30], featureCount: 30 });
    expect(manifest.steps).toEqual([{ name: 'standardize', statistics: 'federated', sampleCount: trainRows.length, mean: pooled.mean, scale: pooled.scale }]);
    const exported = await loadModel(exportDir);
    const global = await experiment.model();
    try {
      for (let i = 0; i < NODES; i += 1) {
        const raw = splits[i]!.test.map((index) => slices[i]![index]!.slice(0, 30));
        // As the node computes them: its raw test rows standardised with the statistics it received, then the global model.
        const standardized = raw.map((row) => row.map((x, j) => (x - received[i]!.mean[j]!) / received[i]!.scale[j]!));
        const atNode = tf.tidy(() => (global.predict(tf.tensor2d(standardized)) as tf.Tensor).dataSync().slice());
        const fromExport = tf.tidy(() => (exported.predict(tf.tensor2d(raw)) as tf.Tensor).dataSync().slice());
        const unstandardized = tf.tidy(() => (global.predict(tf.tensor2d(raw)) as tf.Tensor).dataSync().slice());
        expect(fromExport.length).toBe(splits[i]!.test.length);
        const gap = Math.max(...Array.from(fromExport, (p, k) => Math.abs(p - atNode[k]!)));
        expect(gap).toBeLessThan(1e-5);
        // The raw rows without the preprocessing give other predictions: the comparison above can fail.
        expect(Math.max(...Array.from(unstandardized, (p, k) => Math.abs(p - atNode[k]!)))).toBeGreaterThan(0.1);
        const labels = splits[i]!.test.map((index) => slices[i]![index]![30]!);
        const accuracy = labels.filter((label, k) => (fromExport[k]! > 0.5 ? 1 : 0) === label).length / labels.length;
        expect(accuracy).toBeGreaterThan(0.85);
      }
    } finally {
      exported.dispose();
      global.dispose();
    }

    // A resumed experiment keeps the statistics from its breakpoint and asks no node again.
    const resumed = await Experiment.resume(experimentDir, { server: federation, rounds: 3 });
    expect(resumed.standardization).toEqual(pooled);
    await resumed.runOnce();
    resumed.close();
    for (const node of nodes) {
      expect(node.audit({ action: 'feature-statistics' }).map((entry) => entry.outcome)).toEqual(['done']);
    }
  });
});
