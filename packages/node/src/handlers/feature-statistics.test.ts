import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureStatisticsReply__Output, Request } from '@fedbiomed/proto';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import type { RequestContext } from '@fedbiomed/transport';
import { createDispatcher } from '../dispatcher';
import { createNode, type Node } from '../node';
import { initNodeFolder } from '../node-folder';
import { logisticPlan, trainRequest, WDBC_CSV_OPTIONS, wdbcLines, writeWdbcSlices } from '../testing/fixtures';

// The dispatcher alone, on a real node folder (SQLite registry) and real WDBC rows; the transport
// is tested elsewhere.
const context = (requestId: string): RequestContext => ({ requestId, signal: new AbortController().signal, sendScalar: () => undefined, sendLog: () => undefined });

describe('feature-statistics requests', () => {
  let tmp: TempDir;
  let node: Node;
  let wdbcId: string;
  let tinyId: string;
  const federated = logisticPlan(30, 'federated logreg', undefined, 'federated');
  const local = logisticPlan(30, 'local logreg', undefined, 'local');

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-stats-');
    const dir = join(tmp.path, 'node');
    node = createNode({ dir, config: initNodeFolder(dir, { nodeId: 'n', logLevel: 'silent' }) });
    const [full] = writeWdbcSlices(tmp.path, 1);
    const tiny = join(tmp.path, 'tiny.csv');
    writeFileSync(tiny, `${wdbcLines().slice(0, 2).join('\n')}\n`);
    wdbcId = (await node.datasets.add({ dataType: 'csv', path: full!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'a')).id;
    tinyId = (await node.datasets.add({ dataType: 'csv', path: tiny, tags: ['tiny'], options: WDBC_CSV_OPTIONS }, 'a')).id;
    for (const built of [federated, local]) {
      node.plans.submit(built.plan, { by: 'r' });
      node.plans.approve(built.plan.sha256, { by: 'a' });
    }
  });
  afterAll(() => {
    node.close();
    tmp.dispose();
  });

  const ask = async (request: Request) => {
    const dispatcher = createDispatcher(node, () => 'researcher');
    const body = Object.keys(request).find((key) => key !== 'experimentId');
    return (await dispatcher.handle({ requestId: 'r', experimentId: 'e', body, ...request } as never, new Map(), context('r'))).reply;
  };
  const statistics = (plan: typeof federated, datasetId: string, testRatio = 0.2) =>
    ask({ experimentId: 'e', featureStatistics: { datasetId, plan: plan.plan, testRatio, randomSeed: 7 } });

  it("answers with count, mean and M2 of the train split's features (the split the rounds train on), and audits it", async () => {
    const reply = await statistics(federated, wdbcId);
    const stats = reply.featureStatistics as FeatureStatisticsReply__Output;
    const split = JSON.parse(node.repository.getState({ experimentId: 'e', datasetId: wdbcId, key: 'split:0.2:7' })!.toString('utf8')) as { train: number[] };
    const rows = wdbcLines().map((line) => line.split(',').slice(0, 30).map((v) => Math.fround(Number(v))));
    const train = split.train.map((i) => rows[i]!);
    const mean = Array.from({ length: 30 }, (_, j) => train.reduce((s, row) => s + row[j]!, 0) / train.length);
    const m2 = mean.map((m, j) => train.reduce((s, row) => s + (row[j]! - m) ** 2, 0));
    expect(Number(stats.count)).toBe(train.length);
    expect(train.length).toBeGreaterThan(400);
    stats.mean.forEach((value, j) => expect(value).toBeCloseTo(mean[j]!, 9));
    stats.m2.forEach((value, j) => expect(Math.abs(value - m2[j]!)).toBeLessThan(1e-9 * Math.max(1, m2[j]!)));
    expect(node.audit({ action: 'feature-statistics' })[0]).toMatchObject({ outcome: 'done', datasetId: wdbcId });
  });

  it('refuses a plan that standardises with local statistics, and a dataset with fewer than 2 train rows', async () => {
    const refused = await statistics(local, wdbcId);
    expect(refused.error).toMatchObject({ code: 'ERROR_CODE_POLICY_VIOLATION', message: expect.stringContaining('declares no federated standardisation') });
    const tiny = await statistics(federated, tinyId, 0.5);
    expect(tiny.error).toMatchObject({ code: 'ERROR_CODE_POLICY_VIOLATION', message: expect.stringContaining('has 1 train rows') });
  });

  it('refuses to train under federated statistics without them, and trains with them', async () => {
    const bare = trainRequest(federated, wdbcId, { experimentId: 'e' });
    const dispatcher = createDispatcher(node, () => 'researcher');
    const run = async (request: Request) => {
      const tensors = new Map([[bare.payload.set.transferId, [...bare.payload.tensors]]]);
      return (await dispatcher.handle({ requestId: 't', experimentId: 'e', body: 'train', ...request } as never, tensors, context('t'))).reply;
    };
    const missing = await run(bare.request);
    expect(missing.error).toMatchObject({ code: 'ERROR_CODE_MALFORMED', message: expect.stringContaining('carries no standardisation statistics') });
    const short = await run({ ...bare.request, train: { ...bare.request.train, standardization: { mean: [0], scale: [1] } } });
    expect(short.error?.message).toContain('carries 1 means and 1 scales for 30 features');
    const standardization = { mean: Array<number>(30).fill(0), scale: Array<number>(30).fill(100) };
    const trained = await run({ ...bare.request, train: { ...bare.request.train, standardization } });
    expect(trained).toMatchObject({ train: { datasetId: wdbcId } });
    expect(JSON.parse(node.repository.getState({ experimentId: 'e', datasetId: wdbcId, key: 'standardization' })!.toString('utf8'))).toEqual(standardization);
  });
});
