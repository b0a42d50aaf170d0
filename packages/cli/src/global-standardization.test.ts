/**
 * Federated preprocessing: a plan standardises with global statistics computed by an analytics
 * query; they are part of the plan's approval hash, every node applies exactly them, and the
 * exported model carries them. Real parts: a researcher server and the four Fed-Heart-Disease
 * centres as node runtimes (`startNode`) on gRPC over loopback, each with its own SQLite registry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HEART_DISEASE_CENTERS, openHeartDisease } from '@fedbiomed/datasets';
import { createNode, initNodeFolder, startNode, type Node, type RunningNode } from '@fedbiomed/node';
import { Analytics, createTransportFederation, Experiment, globalStandardization, type AnalyticsFederation } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { bundledDataset, makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { loadModel, PREPROCESSING_FILE, standardizeStep, validatePlan } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';
import { buildHeartDiseasePlan } from './heart-disease-plan';

tf.env().set('IS_TEST', true);
jest.setTimeout(180_000);

const TOKEN = 'global-standardization-token';
const SILENT = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('a plan standardising with global statistics from an analytics query', () => {
  let tmp: TempDir;
  let server: ResearcherServer;
  let federation: AnalyticsFederation;
  const nodes: Node[] = [];
  const running: RunningNode[] = [];
  const datasetIds: string[] = [];

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-global-std-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], researcherId: 'researcher-global-std', logger: SILENT });
    const port = await server.start();
    for (const [center, name] of HEART_DISEASE_CENTERS.entries()) {
      const dir = join(tmp.path, name);
      const config = initNodeFolder(dir, {
        nodeId: `hospital-${name}`,
        nodeName: `Hospital ${name}`,
        researcher: { address: `127.0.0.1:${port}`, enrolmentToken: TOKEN },
        logLevel: 'silent',
        // Queries approved by policy here; the plan is approved by its operator below.
        policy: { analytics: { autoApprove: true } },
      });
      const node = createNode({ dir, config });
      nodes.push(node);
      datasetIds.push((await node.datasets.add({ dataType: 'heart-disease', path: bundledDataset('heart_disease'), tags: ['heart'], options: { center, normalize: false } }, 'operator')).id);
      running.push(await startNode(node));
    }
    federation = createTransportFederation(server);
    while (server.nodes().filter((n) => n.state === 'online').length < nodes.length) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  afterAll(async () => {
    await Promise.all(running.map((node) => node.stop()));
    await server.stop();
    nodes.forEach((node) => node.close());
    tmp.dispose();
  });

  it('pools the train statistics exactly, puts them under the plan hash, and every node and the exported model apply them', async () => {
    const features = Array.from({ length: 13 }, (_, j) => j);
    const result = await new Analytics({ federation, tags: ['heart'], minNodes: 4 }).query({ name: 'train-moments', rows: 'train', statistics: [{ kind: 'variance', features }] });
    const step = globalStandardization(result);

    // The pooled statistics are those of the concatenated train rows (population standard deviation).
    const centres = await Promise.all(HEART_DISEASE_CENTERS.map((_, c) => openHeartDisease({ dir: bundledDataset('heart_disease'), center: c as 0 | 1 | 2 | 3, normalize: false })));
    const train = centres.flatMap(({ dataset, split }) => split.train.map((i) => dataset.features(i)));
    expect(step.params.sampleCount).toBe(train.length);
    expect(step.params.query).toBe(result.querySha256);
    features.forEach((j) => {
      const mean = train.reduce((s, row) => s + row[j]!, 0) / train.length;
      const std = Math.sqrt(train.reduce((s, row) => s + (row[j]! - mean) ** 2, 0) / train.length);
      expect(Math.abs(step.params.mean[j]! - mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(mean)));
      expect(Math.abs(step.params.scale[j]! - (std > 0 ? std : 1))).toBeLessThanOrEqual(1e-9 * Math.max(1, std));
    });

    // The statistics are in the plan: its hash covers them; other statistics make another plan.
    const plan = buildHeartDiseasePlan({ learningRate: 0.05, seed: 3, metrics: ['accuracy'], preprocessing: [step] });
    expect(standardizeStep(validatePlan(plan.plan).spec)).toEqual(step.params);
    const shifted = { ...step, params: { ...step.params, mean: step.params.mean.map((m, j) => (j === 0 ? m + 1 : m)) } };
    const other = buildHeartDiseasePlan({ learningRate: 0.05, seed: 3, metrics: ['accuracy'], preprocessing: [shifted] });
    expect(other.plan.sha256).not.toBe(plan.plan.sha256);

    for (const node of nodes) {
      node.plans.submit(plan.plan, { by: 'operator' });
      node.plans.approve(plan.plan.sha256, { by: 'operator' });
    }
    const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 2, trainingArgs: { numUpdates: 20, batchSize: 8 }, minNodes: 4, seed: 3, server: federation });
    expect(experiment.standardization).toEqual({ sampleCount: train.length, mean: step.params.mean, scale: step.params.scale });
    await experiment.run();
    // No node was asked for feature statistics: the plan held them.
    for (const node of nodes) expect(node.audit({ action: 'feature-statistics' })).toEqual([]);
    // Each node standardised with exactly the approved statistics.
    nodes.forEach((node, i) => {
      const applied = JSON.parse(node.repository.getState({ experimentId: experiment.id, datasetId: datasetIds[i]!, key: 'standardization' })!.toString('utf8'));
      expect(applied).toEqual({ mean: step.params.mean, scale: step.params.scale });
    });

    // The exported model carries them and predicts on raw rows as the nodes do.
    const exportDir = join(tmp.path, 'export');
    await experiment.exportModel(exportDir);
    const manifest = JSON.parse(readFileSync(join(exportDir, PREPROCESSING_FILE), 'utf8'));
    expect(manifest.steps).toEqual([{ name: 'standardize', statistics: 'global', query: result.querySha256, sampleCount: train.length, mean: step.params.mean, scale: step.params.scale }]);
    const exported = await loadModel(exportDir);
    const global = await experiment.model();
    try {
      const raw = centres[0]!.split.test.map((i) => Array.from(centres[0]!.dataset.features(i)));
      const standardized = raw.map((row) => row.map((x, j) => (x - step.params.mean[j]!) / step.params.scale[j]!));
      const atNode = tf.tidy(() => (global.predict(tf.tensor2d(standardized)) as tf.Tensor).dataSync().slice());
      const fromExport = tf.tidy(() => (exported.predict(tf.tensor2d(raw)) as tf.Tensor).dataSync().slice());
      expect(Math.max(...Array.from(fromExport, (p, k) => Math.abs(p - atNode[k]!)))).toBeLessThan(1e-5);
    } finally {
      exported.dispose();
      global.dispose();
      experiment.close();
    }

    // A plan whose statistics the operators did not approve is refused by hash.
    const refused = new Experiment({ tags: ['heart'], plan: other, strategy: new FedAvg(), rounds: 1, trainingArgs: { numUpdates: 1, batchSize: 8 }, minNodes: 1, seed: 3, server: federation });
    await expect(refused.runOnce()).rejects.toThrow(/PLAN_NOT_APPROVED/);
    refused.close();
  });
});
