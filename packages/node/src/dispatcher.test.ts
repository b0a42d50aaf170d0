import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import type { RequestContext } from '@fedbiomed/transport';
import { createDispatcher } from './dispatcher';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { reduceTaskState } from './task-state';
import { logisticPlan, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

/** The transport's per-request context, without a session (the dispatcher is tested alone here). */
const context = (requestId: string): RequestContext => ({
  requestId,
  signal: new AbortController().signal,
  sendScalar: () => undefined,
  sendLog: () => undefined,
});

describe('dispatcher policy knobs', () => {
  let tmp: TempDir;
  let node: Node;
  let datasetId: string;
  let fullId: string;
  const built = logisticPlan(30);

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-dispatch-');
    const dir = join(tmp.path, 'node');
    const config = initNodeFolder(dir, {
      nodeId: 'n',
      logLevel: 'silent',
      policy: { requireSecureAggregation: true, minSamplesPerDataset: 100, allowedDatasetTypes: ['csv'] },
    });
    node = createNode({ dir, config });
    const [small] = writeWdbcSlices(tmp.path, 10);
    const [full] = writeWdbcSlices(join(tmp.path, 'node'), 1);
    datasetId = (await node.datasets.add({ dataType: 'csv', path: small!, tags: ['small'], options: WDBC_CSV_OPTIONS }, 'a')).id;
    fullId = (await node.datasets.add({ dataType: 'csv', path: full!, tags: ['full'], options: WDBC_CSV_OPTIONS }, 'a')).id;
    node.plans.submit(built.plan, { by: 'r' });
    node.plans.approve(built.plan.sha256, { by: 'a' });
  });
  afterAll(() => {
    node.close();
    tmp.dispose();
  });

  const train = async (args: Record<string, unknown>, id: string) => {
    const { request, payload } = trainRequest(built, id, { args });
    const dispatcher = createDispatcher(node, () => 'researcher');
    const tensors = new Map([[payload.set.transferId, [...payload.tensors]]]);
    return (await dispatcher.handle({ requestId: 'r1', experimentId: 'e', body: 'train', ...request } as never, tensors, context('r1'))).reply;
  };

  it('refuses training without secure aggregation when the node requires it, saying so', async () => {
    const reply = await train({}, fullId);
    expect(reply.error).toMatchObject({ code: 'ERROR_CODE_POLICY_VIOLATION' });
    expect(reply.error?.message).toMatch(/requires secure aggregation/);
  });

  it('refuses datasets below the minimum sample count', async () => {
    const reply = await train({ secureAggregation: true }, datasetId);
    expect(reply.error?.message).toMatch(/57 samples, fewer than the 100/);
  });

  it('refuses an unknown dataset and a request without a body', async () => {
    expect((await train({ secureAggregation: true }, 'dataset-missing')).error?.code).toBe('ERROR_CODE_DATASET_NOT_FOUND');
    const dispatcher = createDispatcher(node, () => 'researcher');
    const empty = await dispatcher.handle({ requestId: 'r2', experimentId: 'e' } as never, new Map(), context('r2'));
    expect(empty.reply.error?.code).toBe('ERROR_CODE_MALFORMED');
  });

  it('a draining node refuses new tasks', async () => {
    const dispatcher = createDispatcher(node, () => 'researcher');
    await dispatcher.drain();
    expect(dispatcher.state.status).toBe('draining');
    const { request, payload } = trainRequest(built, datasetId);
    const tensors = new Map([[payload.set.transferId, [...payload.tensors]]]);
    const { reply } = await dispatcher.handle({ requestId: 'r3', experimentId: 'e', body: 'train', ...request } as never, tensors, context('r3'));
    expect(reply.error?.code).toBe('ERROR_CODE_SHUTTING_DOWN');
  });

  it('the task slot reducer: one task at a time, draining keeps the task in flight', () => {
    const task = { requestId: 'a', kind: 'train' as const, since: 0 };
    const running = reduceTaskState({ status: 'idle' }, { type: 'started', task });
    expect(reduceTaskState(running, { type: 'started', task: { ...task, requestId: 'b' } })).toBe(running);
    const draining = reduceTaskState(running, { type: 'drain' });
    expect(draining).toEqual({ status: 'draining', task });
    expect(reduceTaskState(draining, { type: 'finished', requestId: 'a' })).toEqual({ status: 'draining' });
    expect(reduceTaskState(running, { type: 'finished', requestId: 'a' })).toEqual({ status: 'idle' });
  });
});
