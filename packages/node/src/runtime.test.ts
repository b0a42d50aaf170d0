import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { asFloat32Array, float32Tensor, packTensors, ResearcherServer, type TransportError } from '@fedbiomed/transport';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { startNode, type RunningNode } from './node-runtime';
import { logisticPlan, remoteError, SILENT_LOGGER, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

const TOKEN = 'enrol-secret';

describe('a running node answering a real researcher server on loopback', () => {
  let tmp: TempDir;
  let server: ResearcherServer;
  let node: Node;
  let running: RunningNode;
  let datasetId: string;
  const built = logisticPlan(30);

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-runtime-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: SILENT_LOGGER, researcherId: 'researcher-1' });
    const port = await server.start();
    const dir = join(tmp.path, 'node');
    const config = initNodeFolder(dir, {
      nodeId: 'hospital-a',
      nodeName: 'Hospital A',
      researcher: { address: `127.0.0.1:${port}`, enrolmentToken: TOKEN },
      logLevel: 'silent',
    });
    node = createNode({ dir, config });
    const [file] = writeWdbcSlices(tmp.path, 1);
    datasetId = (await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    running = await startNode(node);
  });

  afterAll(async () => {
    await running.stop();
    await server.stop();
    node.close();
    tmp.dispose();
  });


  it('answers ping and search with metadata only', async () => {
    const { reply } = await server.request('hospital-a', { ping: { sentAtMs: 5 } }, { timeoutMs: 10_000 });
    expect(Number(reply.ping?.sentAtMs)).toBe(5);
    const found = await server.request('hospital-a', { search: { tags: ['wdbc'] } }, { timeoutMs: 10_000 });
    const [metadata, ...others] = found.reply.search?.datasets ?? [];
    expect(others).toEqual([]);
    expect(metadata).toMatchObject({ id: datasetId, numClasses: 2, dataType: 'csv', tags: ['wdbc'] });
    expect(Number(metadata?.sampleCount)).toBe(569);
    expect(metadata?.featureShape.map(Number)).toEqual([30]);
    const none = await server.request('hospital-a', { search: { tags: ['mnist'] } }, { timeoutMs: 10_000 });
    expect(none.reply.search?.datasets).toEqual([]);
  });

  it('refuses an unknown plan, records an approval request as pending, and refuses it while pending', async () => {
    const unknown = trainRequest(built, datasetId);
    const refused = await remoteError(server.request('hospital-a', unknown.request, { tensors: [unknown.payload], timeoutMs: 30_000 }));
    expect(refused.remoteCode).toBe('ERROR_CODE_PLAN_NOT_APPROVED');
    expect(refused.message).toMatch(/unknown to this node/);

    const approval = await server.request('hospital-a', { approval: { plan: built.plan, description: 'WDBC logistic regression' } }, { timeoutMs: 10_000 });
    expect(approval.reply.approval).toMatchObject({ planSha256: built.plan.sha256, status: 'PLAN_STATUS_PENDING' });
    const status = await server.request('hospital-a', { planStatus: { planSha256: built.plan.sha256 } }, { timeoutMs: 10_000 });
    expect(status.reply.planStatus?.status).toBe('PLAN_STATUS_PENDING');

    const pending = trainRequest(built, datasetId);
    const stillRefused = await remoteError(server.request('hospital-a', pending.request, { tensors: [pending.payload], timeoutMs: 30_000 }));
    expect(stillRefused.remoteCode).toBe('ERROR_CODE_PLAN_NOT_APPROVED');
    expect(stillRefused.message).toMatch(/pending approval/);
    const audit = node.audit({ action: 'train' });
    expect(audit.map((e) => e.outcome)).toEqual(['refused', 'refused']);
    expect(audit[0]?.detail).toMatch(/ERROR_CODE_PLAN_NOT_APPROVED/);
  });

  it('refuses malformed requests', async () => {
    const noDataset = trainRequest(built, '');
    const error = await remoteError(server.request('hospital-a', noDataset.request, { tensors: [noDataset.payload], timeoutMs: 30_000 }));
    expect(error.remoteCode).toBe('ERROR_CODE_MALFORMED');
    const noHash = await remoteError(server.request('hospital-a', { planStatus: { planSha256: '' } }, { timeoutMs: 10_000 }));
    expect(noHash.remoteCode).toBe('ERROR_CODE_MALFORMED');
  });

  it('trains an approved plan on the fixed split, streams progress and keeps state per experiment', async () => {
    node.plans.approve(built.plan.sha256, { by: 'alice' });
    const scalars: string[] = [];
    const off = server.on('scalar', ({ scalar }) => scalars.push(`${scalar.phase}:${scalar.name}`));
    const first = trainRequest(built, datasetId);
    const { reply, tensors } = await server.request('hospital-a', first.request, { tensors: [first.payload], timeoutMs: 60_000 });
    off();
    const train = reply.train!;
    expect(Number(train.sampleCount)).toBe(569 - Math.ceil(212 * 0.2) - Math.ceil(357 * 0.2));
    expect(train.metricsBefore?.values['accuracy']).toBeDefined();
    expect(train.metricsAfter!.values['accuracy']!).toBeGreaterThan(0.85);
    expect(Number(train.metricsAfter!.sampleCount)).toBe(Math.ceil(212 * 0.2) + Math.ceil(357 * 0.2));
    expect(train.backend).not.toBe('');
    const weights = tensors.get(train.weights!.transferId)!;
    expect(weights.map((t) => t.name)).toEqual(built.initialWeights.map((w) => w.name));
    expect(asFloat32Array(weights[0]!).some((v) => v !== 0)).toBe(true);
    expect(scalars).toEqual(expect.arrayContaining(['test_global:accuracy', 'test_local:accuracy']));
    expect(node.repository.listStateKeys('exp-1').map((k) => k.key)).toEqual(['last-round', 'split:0.2:7', 'standardization']);
    expect(node.audit({ action: 'train', limit: 1 })[0]).toMatchObject({ outcome: 'done', experimentId: 'exp-1' });
  });

  it('refuses a second task while one runs (busy)', async () => {
    const a = trainRequest(built, datasetId, { args: { epochs: 5 } });
    const b = trainRequest(built, datasetId);
    const results = await Promise.allSettled([
      server.request('hospital-a', { ...a.request, requestId: 'task-a' }, { tensors: [a.payload], timeoutMs: 60_000 }),
      server.request('hospital-a', { ...b.request, requestId: 'task-b' }, { tensors: [b.payload], timeoutMs: 60_000 }),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status).toBe('rejected');
    expect(((results[1] as PromiseRejectedResult).reason as TransportError).remoteCode).toBe('ERROR_CODE_BUSY');
  });

  it('SCAFFOLD: returns the node control variate and keeps it for the next round of the experiment', async () => {
    const size = built.initialWeights.reduce((n, w) => n + w.values.length, 0);
    const serverControl = packTensors([float32Tensor('scaffold.server_control', [size], new Float32Array(size))]);
    const round = async (n: number) => {
      const { request, payload } = trainRequest(built, datasetId, { experimentId: 'exp-scaffold', round: n });
      request.train!.aux = { 'scaffold.server_control': serverControl.set };
      return server.request('hospital-a', request, { tensors: [payload, serverControl], timeoutMs: 60_000 });
    };
    const first = await round(1);
    const control = first.reply.train!.aux['scaffold.node_control']!;
    const values = asFloat32Array(first.tensors.get(control.transferId)![0]!);
    expect(values).toHaveLength(size);
    expect(values.some((v) => v !== 0)).toBe(true);
    const kept = node.repository.getState({ experimentId: 'exp-scaffold', datasetId, key: 'tensor:scaffold.node_control' });
    expect(new Float32Array(new Uint8Array(kept!).buffer)).toEqual(values);
    const second = await round(2);
    expect(second.reply.train!.aux['scaffold.node_control']).toBeDefined();
  });
});
