import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { ResearcherServer } from '@fedbiomed/transport';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { startNode, type RunningNode } from './node-runtime';
import { logisticPlan, remoteError, SILENT_LOGGER, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

const TOKEN = 'limits-secret';

/** Two running nodes on WDBC over real gRPC on loopback: one requiring approval, one not (`--no-require-approval`). */
describe('a node enforces the training-argument limits its operator approved with the plan', () => {
  let tmp: TempDir;
  let server: ResearcherServer;
  const nodes: Node[] = [];
  const running: RunningNode[] = [];
  let datasetId = '';
  let openDatasetId = '';
  const limited = logisticPlan(30, 'limited logistic regression', { name: 'sgd', learningRate: 0.1 }, 'local', {
    maxEpochs: 2,
    maxNumUpdates: 20,
    minBatchSize: 8,
    maxBatchSize: 64,
    learningRate: { min: 0.01, max: 0.2 },
    maxRounds: 3,
  });

  const open = async (nodeId: string, requirePlanApproval: boolean, port: number): Promise<{ node: Node; datasetId: string }> => {
    const dir = join(tmp.path, nodeId);
    const config = initNodeFolder(dir, {
      nodeId,
      researcher: { address: `127.0.0.1:${port}`, enrolmentToken: TOKEN },
      logLevel: 'silent',
      policy: { requirePlanApproval },
    });
    const node = createNode({ dir, config });
    nodes.push(node);
    const [file] = writeWdbcSlices(dir, 1);
    const id = (await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    running.push(await startNode(node));
    return { node, datasetId: id };
  };

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-limits-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: SILENT_LOGGER, researcherId: 'researcher-1' });
    const port = await server.start();
    const strict = await open('hospital-strict', true, port);
    datasetId = strict.datasetId;
    strict.node.plans.submit(limited.plan, { by: 'researcher' });
    strict.node.plans.approve(limited.plan.sha256, { by: 'alice' });
    openDatasetId = (await open('hospital-open', false, port)).datasetId;
  });

  afterAll(async () => {
    for (const run of running) await run.stop();
    await server.stop();
    for (const node of nodes) node.close();
    tmp.dispose();
  });

  const train = (args: Record<string, unknown>, round = 1) => {
    const { request, payload } = trainRequest(limited, datasetId, { round, args: { testOnGlobalUpdates: false, testOnLocalUpdates: false, ...args } });
    return server.request('hospital-strict', request, { tensors: [payload], timeoutMs: 60_000 });
  };

  it.each([
    [{ epochs: 3 }, 1, /training argument epochs = 3 is above the limit .*\(maxEpochs 2\)/],
    [{ numUpdates: 21 }, 1, /numUpdates = 21 is above the limit .*\(maxNumUpdates 20\)/],
    [{ batchSize: 4 }, 1, /batchSize = 4 is below the limit .*\(minBatchSize 8\)/],
    [{ batchSize: 128 }, 1, /batchSize = 128 is above the limit .*\(maxBatchSize 64\)/],
    [{ optimizer: { learningRate: 0.5 } }, 1, /optimizer.learningRate = 0.5 is outside the range .*\(learningRate \[0.01, 0.2\]\)/],
    [{ optimizer: { name: 'adam', learningRate: 0.1 } }, 1, /optimizer.name = adam replaces the optimiser .*\(allowOptimizerOverride false, optimiser sgd\)/],
    [{}, 4, /round = 4 is above the limit .*\(maxRounds 3\)/],
  ])('refuses %j in round %d, naming the argument, the value and the limit, and audits the refusal', async (args, round, message) => {
    const refused = await remoteError(train(args, round));
    expect(refused.remoteCode).toBe('ERROR_CODE_POLICY_VIOLATION');
    expect(refused.message).toMatch(message);
    const [entry] = nodes[0]!.audit({ action: 'train', limit: 1 });
    expect(entry).toMatchObject({ outcome: 'refused', planSha256: limited.plan.sha256 });
    expect(entry?.detail).toMatch(/^ERROR_CODE_POLICY_VIOLATION: training argument/);
    expect(entry?.detail).toMatch(message);
  });

  it('trains within the limits, at the learning rate the request asked for', async () => {
    const { reply } = await train({ epochs: 2, batchSize: 32, optimizer: { learningRate: 0.05 } }, 3);
    expect(Number(reply.train?.numUpdates)).toBeGreaterThan(0);
    expect(nodes[0]!.audit({ action: 'train', limit: 1 })[0]).toMatchObject({ outcome: 'done', detail: expect.stringMatching(/round 3: .*sgd learning rate 0.05; protection: plain$/) });
  });

  it('answers approved, by its policy, on a node that runs plans without approval, and audits the answer', async () => {
    const unknown = await server.request('hospital-open', { planStatus: { planSha256: limited.plan.sha256 } }, { timeoutMs: 10_000 });
    expect(unknown.reply.planStatus).toMatchObject({ status: 'PLAN_STATUS_APPROVED', notes: expect.stringMatching(/requirePlanApproval is false/) });
    const asked = await server.request('hospital-open', { approval: { plan: limited.plan, description: 'limits' } }, { timeoutMs: 10_000 });
    expect(asked.reply.approval).toMatchObject({ status: 'PLAN_STATUS_APPROVED', message: expect.stringMatching(/approved by the node's policy/) });
    const audited = nodes[1]!.audit({ action: 'plan.status' });
    expect(audited).toHaveLength(2);
    expect(audited[0]).toMatchObject({ actor: 'policy', outcome: 'approved', planSha256: limited.plan.sha256 });
    // The limits still hold there: they are part of the plan, not of the approval.
    const { request, payload } = trainRequest(limited, openDatasetId, { args: { batchSize: 2 } });
    const refused = await remoteError(server.request('hospital-open', request, { tensors: [payload], timeoutMs: 60_000 }));
    expect(refused.remoteCode).toBe('ERROR_CODE_POLICY_VIOLATION');
  });

  it("keeps an operator's rejection on a node that runs plans without approval", async () => {
    nodes[1]!.plans.reject(limited.plan.sha256, { by: 'bob', notes: 'not on this data' });
    const status = await server.request('hospital-open', { planStatus: { planSha256: limited.plan.sha256 } }, { timeoutMs: 10_000 });
    expect(status.reply.planStatus?.status).toBe('PLAN_STATUS_REJECTED');
    const { request, payload } = trainRequest(limited, openDatasetId);
    const refused = await remoteError(server.request('hospital-open', request, { tensors: [payload], timeoutMs: 60_000 }));
    expect(refused.remoteCode).toBe('ERROR_CODE_PLAN_REJECTED');
  });
});
