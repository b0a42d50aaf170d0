import { join } from 'node:path';
import { computeDpEpsilon } from '@fedbiomed/strategy';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { ResearcherServer } from '@fedbiomed/transport';
import { loadNodeConfig } from './config';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { startNode, type RunningNode } from './node-runtime';
import { logisticPlan, remoteError, runNodeCli, SILENT_LOGGER, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

const TOKEN = 'privacy-secret';
const BUDGET = { epsilon: 1.4, delta: 1e-5 };
/** DP-SGD with σ = 1.5, batches of 16, 29 steps: about ε = 1.11, 1.34, 1.52 after one, two, three tasks at δ = 1e-5. */
const DP_SGD = { enabled: true, mode: 'sample', clipNorm: 1, noiseMultiplier: 1.5 };
const ROUND_ARGS = { numUpdates: 29, batchSize: 16, testOnGlobalUpdates: false, testOnLocalUpdates: false };

/**
 * A running node with a privacy budget on its WDBC dataset (policy `privacyBudget`), its SQLite
 * ledger in the node folder, trained over real gRPC on loopback.
 */
describe('a node accounts the differential privacy each task spends against its dataset budget', () => {
  let tmp: TempDir;
  let dir: string;
  let server: ResearcherServer;
  let node: Node;
  let running: RunningNode | undefined;
  let datasetId = '';
  const plan = logisticPlan(30, 'dp logistic regression');

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-privacy-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: SILENT_LOGGER, researcherId: 'researcher-1' });
    const port = await server.start();
    dir = join(tmp.path, 'hospital-dp');
    const config = initNodeFolder(dir, {
      nodeId: 'hospital-dp',
      researcher: { address: `127.0.0.1:${port}`, enrolmentToken: TOKEN },
      logLevel: 'silent',
      policy: { requirePlanApproval: false, privacyBudget: BUDGET },
    });
    node = createNode({ dir, config });
    const [file] = writeWdbcSlices(dir, 1);
    datasetId = (await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    running = await startNode(node);
  });

  afterAll(async () => {
    await running?.stop();
    await server.stop();
    node.close();
    tmp.dispose();
  });

  const train = (experimentId: string, round: number, args: Record<string, unknown>) => {
    const { request, payload } = trainRequest(plan, datasetId, { experimentId, round, args: { ...ROUND_ARGS, ...args } });
    return server.request('hospital-dp', request, { tensors: [payload], timeoutMs: 120_000 });
  };

  it('refuses a task without differential privacy on a dataset with a budget, naming the dataset and the budget', async () => {
    const refused = await remoteError(train('exp-a', 1, {}));
    expect(refused.remoteCode).toBe('ERROR_CODE_POLICY_VIOLATION');
    expect(refused.message).toContain(
      `dataset ${datasetId} has a privacy budget of ε = 1.4 at δ = 0.00001 (node policy); this task runs without differential privacy (set dp in the training arguments)`,
    );
    expect(node.audit({ action: 'train', limit: 1 })[0]).toMatchObject({ outcome: 'refused', detail: expect.stringMatching(/privacy budget/) });
  });

  it('charges DP-SGD tasks what the RDP accountant says for q = batch/train size and the steps, across experiments, and reports ε', async () => {
    const first = (await train('exp-a', 1, { dp: DP_SGD })).reply.train!;
    const trainSize = Number(first.trainSize);
    const expected = (steps: number) => computeDpEpsilon({ samplingRate: 16 / trainSize, noiseMultiplier: 1.5, steps, delta: 1e-5 }).epsilon;
    expect(first.privacy).toMatchObject({ mechanism: 'sample', samplingRate: 16 / trainSize, noiseMultiplier: 1.5, steps: 29, delta: 1e-5, budgetEpsilon: 1.4 });
    expect(first.privacy!.epsilonRound).toBeCloseTo(expected(29), 10);
    expect(first.privacy!.epsilonExperiment).toBeCloseTo(expected(29), 10);
    expect(first.privacy!.epsilonDataset).toBeCloseTo(expected(29), 10);

    // Another experiment draws on the same dataset budget; its own cumulative ε starts afresh.
    const second = (await train('exp-b', 1, { dp: DP_SGD })).reply.train!;
    expect(second.privacy!.epsilonRound).toBeCloseTo(expected(29), 10);
    expect(second.privacy!.epsilonExperiment).toBeCloseTo(expected(29), 10);
    expect(second.privacy!.epsilonDataset).toBeCloseTo(expected(58), 10);
    expect(node.privacy.standing(datasetId)).toMatchObject({ tasks: 2, budget: BUDGET, delta: 1e-5 });
    expect(node.privacy.standing(datasetId).spentEpsilon).toBeCloseTo(expected(58), 10);
    expect(node.privacy.standing(datasetId).remainingEpsilon).toBeCloseTo(1.4 - expected(58), 10);
    expect(node.audit({ action: 'train', limit: 1 })[0]?.detail).toMatch(/DP-SGD, q = .*, σ = 1.5, 29 steps: ε = 1.1\d* at δ = 0.00001 \(dataset total ε = 1.3\d*\)/);
  });

  it('refuses the task that would exceed the budget, with the budget, the spent ε and the cost in the message, and charges nothing', async () => {
    const refused = await remoteError(train('exp-a', 2, { dp: DP_SGD }));
    expect(refused.remoteCode).toBe('ERROR_CODE_POLICY_VIOLATION');
    expect(refused.message).toMatch(
      new RegExp(`ERROR_CODE_POLICY_VIOLATION: privacy budget of dataset ${datasetId} \\(ε = 1.4 at δ = 0.00001\\) would be exceeded: spent so far ε = 1.3\\d+, this task \\(DP-SGD, q = 0.035\\d*, σ = 1.5, 29 steps\\) costs ε = 1.1\\d+ and would bring the dataset to ε = 1.5\\d+$`),
    );
    expect(node.privacy.standing(datasetId).tasks).toBe(2);
    // A cheaper task (more noise, fewer steps) still fits in what is left.
    const cheap = (await train('exp-a', 2, { dp: { ...DP_SGD, noiseMultiplier: 4 }, numUpdates: 5 })).reply.train!;
    expect(cheap.privacy!.epsilonDataset).toBeLessThanOrEqual(1.4);
    expect(cheap.privacy!.epsilonExperiment).toBeGreaterThan(first(cheap));
  });

  it('keeps the ledger in the node database: a node reopened on the folder sees what was spent', () => {
    const reopened = createNode({ dir, config: loadNodeConfig(dir, {}) });
    try {
      expect(reopened.privacy.standing(datasetId)).toMatchObject({ tasks: 3, budget: BUDGET });
      expect(reopened.privacy.standing(datasetId).spentEpsilon).toBeCloseTo(node.privacy.standing(datasetId).spentEpsilon, 12);
    } finally {
      reopened.close();
    }
  });
});

/** ε of the task alone, to compare the experiment's running total with. */
function first(reply: { privacy?: { epsilonRound: number } | null }): number {
  return reply.privacy!.epsilonRound;
}

/** `fedbiomed node dataset show/list` (spawned CLI, build first) on a node folder whose ledger holds one charged task. */
describe('fedbiomed node dataset show: the privacy budget, spent and remaining', () => {
  let tmp: TempDir;
  beforeAll(() => {
    tmp = makeTempDir('fedbiomed-node-privacy-cli-');
  });
  afterAll(() => tmp.dispose());

  it('prints budget, spent and remaining ε, and the spent ε in list', async () => {
    const dir = join(tmp.path, 'node');
    const config = initNodeFolder(dir, { nodeId: 'hospital-cli', logLevel: 'silent', policy: { privacyBudget: { epsilon: 8, delta: 1e-6 } } });
    const node = createNode({ dir, config });
    const [file] = writeWdbcSlices(dir, 1);
    const id = (await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    const mechanism = { mode: 'sample' as const, samplingRate: 0.05, noiseMultiplier: 1.2, steps: 100 };
    const charged = node.privacy.charge({ datasetId: id, experimentId: 'exp-1', requestId: 'r-1', round: 1, mechanism, requestedDelta: 0 });
    node.close();
    const epsilon = computeDpEpsilon({ ...mechanism, delta: 1e-6 }).epsilon;
    expect(charged).toMatchObject({ kind: 'charged', spent: { delta: 1e-6 } });
    const show = await runNodeCli(dir, ['dataset', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/privacy budget +ε = 8 at δ = 0.000001\n/);
    expect(show.stdout).toContain(`privacy spent      ε = ${Number(epsilon.toPrecision(4))} at δ = 0.000001 over 1 task under DP`);
    expect(show.stdout).toContain(`privacy remaining  ε = ${Number((8 - epsilon).toPrecision(4))}`);
    const list = await runNodeCli(dir, ['dataset', 'list']);
    expect(list.stdout).toContain(`${Number(epsilon.toPrecision(4))} of 8`);
    const json = JSON.parse((await runNodeCli(dir, ['dataset', 'show', id, '--json'])).stdout) as { privacy: { spentEpsilon: number; remainingEpsilon: number } };
    expect(json.privacy.spentEpsilon).toBeCloseTo(epsilon, 10);
  });
});
