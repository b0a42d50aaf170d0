import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Request__Output } from '@fedbiomed/proto';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import type { BuiltPlan } from '@fedbiomed/training';
import { createDispatcher } from './dispatcher';
import { createNode, openNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { logisticPlan, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

describe('optimiser state kept per experiment between rounds, in the node database', () => {
  let tmp: TempDir;
  let dir: string;
  let node: Node;
  let datasetId: string;
  // Its limits let a round switch optimiser and lower the learning rate, as the last tests do.
  const adam = logisticPlan(30, 'adam logistic regression', { name: 'adam', learningRate: 0.01 }, 'local', {
    allowOptimizerOverride: true,
    learningRate: { min: 0.001, max: 0.01 },
  });
  const sgd = logisticPlan(30);

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-optimizer-');
    dir = join(tmp.path, 'node');
    node = createNode({ dir, config: initNodeFolder(dir, { nodeId: 'n', logLevel: 'silent' }) });
    const [file] = writeWdbcSlices(tmp.path, 1);
    datasetId = (await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    for (const built of [adam, sgd]) {
      node.plans.submit(built.plan, { by: 'researcher' });
      node.plans.approve(built.plan.sha256, { by: 'alice' });
    }
  });
  afterAll(() => {
    node.close();
    tmp.dispose();
  });

  /** One round through the dispatcher (the transport is left out: real SQLite is what matters here); its number of updates. */
  const round = async (experimentId: string, n: number, args: Record<string, unknown> = {}, built: BuiltPlan = adam) => {
    const requestId = `${experimentId}-round-${n}`;
    const { request, payload } = trainRequest(built, datasetId, {
      experimentId,
      round: n,
      args: { testOnGlobalUpdates: false, testOnLocalUpdates: false, ...args },
    });
    const { reply } = await createDispatcher(node, () => 'researcher').handle(
      { requestId, body: 'train', ...request } as unknown as Request__Output,
      new Map([[payload.set.transferId, [...payload.tensors]]]),
      { requestId, signal: new AbortController().signal, sendScalar: () => undefined, sendLog: () => undefined },
    );
    expect(reply.error?.message).toBeUndefined();
    return Number(reply.train?.numUpdates);
  };
  const stored = (experimentId: string) => node.repository.getOptimizerState(experimentId, datasetId)?.state;
  /** Updates of one round: one epoch of batches of 16 on the train split. */
  let perRound = 0;

  it("gives an experiment's second round the optimiser state of its first, and none to another experiment", async () => {
    perRound = await round('exp-a', 1);
    const first = stored('exp-a')!;
    expect(first.optimizer).toBe('adam');
    expect(first.step).toBe(perRound);
    const weightNames = adam.initialWeights.map((w) => w.name);
    expect(first.slots.map((slot) => slot.name)).toEqual([...weightNames.map((name) => `${name}/m`), ...weightNames.map((name) => `${name}/v`)]);
    expect(first.slots[0]!.values.some((v) => v !== 0)).toBe(true);

    expect(await round('exp-a', 2)).toBe(perRound);
    // A fresh optimiser would have ended at `perRound` steps.
    const second = stored('exp-a')!;
    expect(second.step).toBe(2 * perRound);
    expect(second.slots[0]!.values).not.toEqual(first.slots[0]!.values);

    await round('exp-b', 1);
    expect(stored('exp-b')!.step).toBe(perRound);
    expect(stored('exp-a')!.step).toBe(2 * perRound);
  });

  it('a restarted node (the same folder reopened) still has the state and resumes from it', async () => {
    const before = stored('exp-a');
    node.close();
    node = openNode(dir);
    expect(stored('exp-a')).toEqual(before);
    await round('exp-a', 3);
    expect(stored('exp-a')!.step).toBe(3 * perRound);
  });

  it('starts a fresh optimiser when the optimiser or the plan changes, but not for a new learning rate', async () => {
    await round('exp-a', 4, { optimizer: { name: 'momentum', learningRate: 0.01, params: {} } });
    expect(stored('exp-a')).toMatchObject({ optimizer: 'momentum', step: perRound });
    await round('exp-a', 5, { optimizer: { name: 'momentum', learningRate: 0.005, params: {} } });
    expect(stored('exp-a')).toMatchObject({ optimizer: 'momentum', step: 2 * perRound });
    await round('exp-a', 6, {}, sgd);
    expect(stored('exp-a')).toMatchObject({ optimizer: 'sgd', step: perRound, slots: [] });
  });

  it('removing the dataset removes its optimiser states and their slots', () => {
    node.datasets.remove(datasetId, 'alice');
    expect(stored('exp-a')).toBeUndefined();
    expect(stored('exp-b')).toBeUndefined();
    const db = new Database(node.paths.database, { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM optimizer_slots').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
