// A malicious researcher against a running node, over real gRPC on loopback with a real SQLite
// registry and the WDBC CSV (docs/security.md): plans that would allocate absurd memory, training
// arguments that leak single samples or hold the node for days, oversized tensors, and failures
// whose messages could quote the data.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingPlan } from '@fedbiomed/proto';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { canonicalJson, sha256Hex } from '@fedbiomed/training';
import { float32Tensor, packTensors, ResearcherServer } from '@fedbiomed/transport';
import type { NodeConfigInput } from './config';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { startNode, type RunningNode } from './node-runtime';
import { logisticPlan, remoteError, SILENT_LOGGER, trainRequest, waitOnline, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

const TOKEN = 'malicious-researcher-secret';
const SECRET_CELL = 'SECRET-CELL-73519';

/** `built`'s plan with every `units` of its topology and, optionally, its manifest's kernel resized. */
function resizedPlan(built: ReturnType<typeof logisticPlan>, units: number, manifestKernel?: number[]): { plan: TrainingPlan; initialWeights: typeof built.initialWeights } {
  const spec = JSON.parse(built.plan.canonicalJson) as Record<string, unknown>;
  const resize = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(resize);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key === 'units') record[key] = units;
      else resize(record[key]);
    }
  };
  resize(spec['modelTopology']);
  if (manifestKernel !== undefined) {
    const manifest = spec['weights'] as { tensors: { name: string; shape: number[] }[] };
    manifest.tensors[0]!.shape = manifestKernel;
  }
  const text = canonicalJson(spec);
  return { plan: { ...built.plan, canonicalJson: text, sha256: sha256Hex(text) }, initialWeights: built.initialWeights };
}

describe('a malicious researcher against a running node (real gRPC on loopback)', () => {
  let tmp: TempDir;
  let server: ResearcherServer;
  const nodes: Node[] = [];
  const running: RunningNode[] = [];
  const datasets = new Map<string, { id: string; file: string }>();
  const built = logisticPlan(30, 'attacked logistic regression');

  const open = async (nodeId: string, config: Partial<NodeConfigInput> = {}): Promise<void> => {
    const dir = join(tmp.path, nodeId);
    const node = createNode({ dir, config: initNodeFolder(dir, { nodeId, researcher: { address: `127.0.0.1:${server.port}`, enrolmentToken: TOKEN }, logLevel: 'silent', ...config }) });
    nodes.push(node);
    const [file] = writeWdbcSlices(dir, 1);
    const { id } = await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice');
    datasets.set(nodeId, { id, file: file! });
    const online = waitOnline(server, nodeId);
    running.push(await startNode(node));
    await online;
  };
  /** The operator approves `plan` on `node`, as a careless one might. */
  const approved = (node: Node, plan: TrainingPlan): void => {
    node.plans.submit(plan, { by: 'researcher' });
    node.plans.approve(plan.sha256 ?? '', { by: 'alice' });
  };
  /** `plan` as approved by the operator before `limits.maxParameters` was lowered below its size. */
  const approvedBeforeTheLimit = (node: Node, plan: TrainingPlan): void => {
    const at = new Date().toISOString();
    node.repository.savePlan({
      sha256: plan.sha256 ?? '',
      name: plan.name ?? '',
      kind: plan.kind ?? '',
      canonicalJson: plan.canonicalJson ?? '',
      approval: { status: 'approved', by: 'alice', at, notes: 'approved before the node limit was lowered' },
      registeredAt: at,
      registeredBy: 'alice',
    });
  };
  const train = (nodeId: string, plan: ReturnType<typeof resizedPlan> | typeof built, args: Record<string, unknown> = {}) => {
    const { request, payload } = trainRequest(plan as typeof built, datasets.get(nodeId)!.id, { args });
    return server.request(nodeId, request, { tensors: [payload], timeoutMs: 60_000 });
  };

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-malicious-researcher-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: SILENT_LOGGER, researcherId: 'mallory' });
    await server.start();
    await open('hospital');
    await open('tiny-hospital', { limits: { maxParameters: 20 } });
    approved(nodes[0]!, built.plan);
    approvedBeforeTheLimit(nodes[1]!, built.plan);
  });
  afterAll(async () => {
    for (const r of running) await r.stop();
    await server.stop();
    nodes.forEach((n) => n.close());
    tmp.dispose();
  });

  describe('plans that would allocate absurd memory are refused before anything is built', () => {
    it('refuses an approval request for such a plan, so no operator or allow-list can approve it', async () => {
      const plan = resizedPlan(built, 1e9);
      const refused = await remoteError(server.request('hospital', { approval: { plan: plan.plan, description: 'harmless' } }, { timeoutMs: 10_000 }));
      expect(refused.remoteCode).toBe('ERROR_CODE_MALFORMED');
      expect(refused.message).toContain('the plan was refused: plan "attacked logistic regression" has a layer with units = 1000000000, above this node\'s limits.maxParameters 100000000');
      expect(nodes[0]!.plans.find(plan.plan.sha256 ?? '')).toBeUndefined();
    });

    it('refuses a topology of 10^9 units behind a manifest of 31 weights', async () => {
      const plan = resizedPlan(built, 1e9);
      approvedBeforeTheLimit(nodes[0]!, plan.plan);
      const rssBefore = process.memoryUsage().rss;
      const refused = await remoteError(train('hospital', plan));
      expect(refused.remoteCode).toBe('ERROR_CODE_POLICY_VIOLATION');
      expect(refused.message).toContain('has a layer with units = 1000000000, above this node\'s limits.maxParameters 100000000');
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 2 ** 20);
    });

    it('refuses a topology whose layer sizes are within the limit but not in the manifest it announces', async () => {
      const plan = resizedPlan(built, 5_000_000);
      approvedBeforeTheLimit(nodes[0]!, plan.plan);
      const refused = await remoteError(train('hospital', plan));
      expect(refused.message).toContain('has a layer with units = 5000000, which no tensor of its weights\' manifest has as a dimension');
    });

    it('refuses a manifest of 3·10^10 weights', async () => {
      const plan = resizedPlan(built, 1e9, [30, 1e9]);
      approvedBeforeTheLimit(nodes[0]!, plan.plan);
      const refused = await remoteError(train('hospital', plan));
      expect(refused.message).toContain('declares 30000000001 weights, above this node\'s limits.maxParameters 100000000');
    });

    it("cuts a request whose tensors exceed what the node's size limit allows (4 × 4 bytes × maxParameters), before its plan is even read", async () => {
      const ask = (values: number) => {
        const weights = packTensors([float32Tensor('w', [values], new Float32Array(values))]);
        const request = { train: { round: 1, datasetId: datasets.get('tiny-hospital')!.id, plan: built.plan, globalWeights: weights.set } };
        return remoteError(server.request('tiny-hospital', request, { tensors: [weights], timeoutMs: 10_000 }));
      };
      // 100 floats = 400 bytes > 4 × 4 × 20: the node's transport refuses the transfer and closes the session.
      const cut = await ask(100);
      expect(cut.message).toContain('session ended before its reply');
      await waitOnline(server, 'tiny-hospital');
      // 4 floats fit: the request reaches admission, which refuses the plan by its size.
      const refused = await ask(4);
      expect(refused.remoteCode).toBe('ERROR_CODE_POLICY_VIOLATION');
      expect(refused.message).toContain('declares 31 weights, above this node\'s limits.maxParameters 20');
    });
  });

  describe('training arguments beyond the node limits', () => {
    it.each([
      ['a batch of one (one sample\'s gradient)', { batchSize: 1 }, 'training argument batchSize = 1 is below this node\'s limit (limits.minBatchSize 4 in its config)'],
      ['numUpdates = 10^9', { numUpdates: 1e9 }, 'training argument numUpdates = 1000000000 is above this node\'s limit (limits.maxNumUpdates 100000 in its config)'],
      ['epochs = 10^6', { epochs: 1e6 }, 'training argument epochs = 1000000 is above this node\'s limit (limits.maxEpochs 1000 in its config)'],
    ])('refuses %s, even under a plan without limits', async (_what, args, message) => {
      const refused = await remoteError(train('hospital', built, args));
      expect(refused.remoteCode).toBe('ERROR_CODE_POLICY_VIOLATION');
      expect(refused.message).toContain(message);
    });

    it('trains within them', async () => {
      const done = await train('hospital', built, { batchSize: 4, numUpdates: 2, epochs: 0 });
      expect(done.reply.train?.numUpdates).toBe(2);
    });
  });

  it("keeps the data's values and paths out of the error it sends the researcher, and in the node's audit", async () => {
    const node = nodes[0]!;
    const copy = join(tmp.path, 'second-copy');
    mkdirSync(copy);
    const [file] = writeWdbcSlices(copy, 1);
    const { id } = await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc-copy'], options: WDBC_CSV_OPTIONS }, 'alice');
    // The file changes after registration: one cell of row 5 now holds text.
    const lines = readFileSync(file!, 'utf8').split('\n');
    lines[4] = [SECRET_CELL, ...lines[4]!.split(',').slice(1)].join(',');
    writeFileSync(file!, lines.join('\n'));
    const { request, payload } = trainRequest(built, id, { args: { batchSize: 4 } });

    const error = await remoteError(server.request('hospital', request, { tensors: [payload], timeoutMs: 60_000 }));

    expect(error.message).not.toContain(SECRET_CELL);
    expect(error.message).not.toContain(file!);
    expect(error.message).toMatch(/the dataset could not be read \(NON_NUMERIC\); the details stay on the node: its operator finds them in the node's log and audit under request /);
    const [audited] = node.audit({ action: 'train', limit: 1 });
    expect(audited?.detail).toContain(SECRET_CELL);
  });
});
