import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTransportFederation, Experiment, waitForNodes } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { buildPlan } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';
import { freePort, requireBuiltCli, runCliToEnd, WDBC_PART_OPTIONS, writeWdbcParts } from './cli-test-support.test.helper';
import { spawnNode, type LocalNodeProcess } from './local-nodes';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

// A real node process made with `fedbiomed node init --no-require-approval`, the SDK's
// Experiment.ensureApproved against it over gRPC on loopback.
describe('a node started without required approval (fedbiomed node init --no-require-approval)', () => {
  beforeAll(requireBuiltCli);

  let dir: TempDir;
  let node: LocalNodeProcess | undefined;
  let server: ResearcherServer | undefined;

  afterEach(async () => {
    await node?.stop();
    await server?.stop();
    dir.dispose();
  });

  it('answers approved by its policy, so ensureApproved returns at once, and audits that answer', async () => {
    dir = makeTempDir('fedbiomed-no-approval-');
    const port = await freePort();
    const token = 'open-token';
    const nodeDir = join(dir.path, 'node');
    const [csv] = writeWdbcParts(dir.path, 1);
    await runCliToEnd(['node', '--path', nodeDir, 'init', '--id', 'hospital-open', '--researcher', `127.0.0.1:${port}`, '--token', token, '--no-require-approval']);
    await runCliToEnd(['node', '--path', nodeDir, 'dataset', 'add', '--type', 'csv', '--path', csv!, '--tags', 'wdbc', '--options', WDBC_PART_OPTIONS]);
    server = new ResearcherServer({ enrolmentTokens: [token], port });
    await server.start();
    mkdirSync(join(dir.path, 'logs'));
    node = spawnNode(join(__dirname, '..', 'dist', 'bin.js'), nodeDir, 'hospital-open', join(dir.path, 'logs'));
    await waitForNodes(server, { count: 1, timeoutMs: 30_000 });

    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [30], units: 1, activation: 'sigmoid' })] });
    const plan = buildPlan(model, { name: 'open-logreg', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 } });
    model.dispose();
    const experiment = new Experiment({ tags: ['wdbc'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: {}, server: createTransportFederation(server), seed: 1 });
    try {
      // Before the fix the node answered "pending" and this waited until APPROVAL_TIMEOUT.
      const statuses = await experiment.ensureApproved({ timeoutMs: 8_000, pollIntervalMs: 200 });
      expect(statuses).toEqual([expect.objectContaining({ nodeId: 'hospital-open', status: 'PLAN_STATUS_APPROVED' })]);
    } finally {
      experiment.close();
    }
    const audit = JSON.parse(await runCliToEnd(['node', '--path', nodeDir, 'audit', 'list', '--plan', plan.plan.sha256, '--json'])) as { actor: string; action: string; outcome: string; detail: string }[];
    expect(audit).toContainEqual(
      expect.objectContaining({ actor: 'policy', action: 'plan.status', outcome: 'approved', detail: expect.stringMatching(/requirePlanApproval is false/) }),
    );
  }, 90_000);
});
