import type { Request__Output } from '@fedbiomed/proto';
import { FedAvg } from '@fedbiomed/strategy';
import { asFloat32Array, float32Tensor, NodeClient, packTensors, ResearcherServer, type HandlerResult, type ReceivedTensors } from '@fedbiomed/transport';
import { ResearcherError } from './errors';
import { Experiment } from './experiment';
import type { ExperimentEvent } from './experiment-events';
import { createTransportFederation } from './transport-federation';
import { waitForNodes } from './wait-for-nodes';

// Real gRPC on 127.0.0.1. The node side is a NodeClient whose handler keeps plan decisions in a map
// an "operator" (the test) edits: the node runtime and its CLI are @fedbiomed/node's and
// @fedbiomed/cli's to test (the CLI's experiment test approves through `fedbiomed node plan approve`).
const TOKEN = 'approval-test';
const plan = {
  plan: { canonicalJson: '{}', sha256: 'a'.repeat(64), kind: 'tfjs-layers', name: 'toy' },
  initialWeights: [{ name: 'dense/kernel', shape: [2], values: new Float32Array([0, 0]) }],
};

type Decision = 'PLAN_STATUS_PENDING' | 'PLAN_STATUS_APPROVED' | 'PLAN_STATUS_REJECTED';

/** A node with a matching dataset (or none), whose operator's decisions live in `decisions`. */
class OperatedNode {
  readonly received: string[] = [];
  constructor(
    readonly id: string,
    readonly decisions: Map<string, Decision>,
    private readonly matches = true,
  ) {}

  handle = async (request: Request__Output, tensors: ReceivedTensors): Promise<HandlerResult> => {
    this.received.push(request.body ?? '');
    if (request.search) {
      return { reply: { search: { datasets: this.matches ? [{ id: `ds-${this.id}`, name: 'wdbc', tags: ['wdbc'], dataType: 'csv', sampleCount: 10 }] : [] } } };
    }
    const sha = plan.plan.sha256;
    if (request.approval) {
      if (!this.decisions.has(this.id)) this.decisions.set(this.id, 'PLAN_STATUS_PENDING');
      const status = this.decisions.get(this.id);
      const message = status === 'PLAN_STATUS_REJECTED' ? 'plan is rejected: not on this data' : `waiting for the operator of ${this.id}`;
      return { reply: { approval: { planSha256: sha, status, message } } };
    }
    if (request.planStatus) return { reply: { planStatus: { planSha256: sha, status: this.decisions.get(this.id) ?? 'PLAN_STATUS_UNKNOWN', notes: '' } } };
    const train = request.train;
    if (!train) throw new Error(`unexpected request ${request.body}`);
    if (this.decisions.get(this.id) !== 'PLAN_STATUS_APPROVED') return { reply: { error: { code: 'ERROR_CODE_PLAN_NOT_APPROVED', message: 'not approved' } } };
    const received = tensors.get(train.globalWeights?.transferId ?? '') ?? [];
    const weights = packTensors(received.map((t) => float32Tensor(t.name, t.shape, asFloat32Array(t).map((v) => v + 1))));
    return { reply: { train: { datasetId: `ds-${this.id}`, round: train.round, sampleCount: 10, weights: weights.set, numUpdates: 1, backend: 'test' } }, tensors: [weights] };
  };
}

describe('Experiment.ensureApproved and waitForNodes (real gRPC on loopback)', () => {
  let server: ResearcherServer;
  const clients: NodeClient[] = [];
  const decisions = new Map<string, Decision>();

  const connect = async (node: OperatedNode): Promise<OperatedNode> => {
    const client = new NodeClient({ address: `127.0.0.1:${server.port}`, nodeId: node.id, nodeName: `Hospital ${node.id}`, enrolmentToken: TOKEN, handler: node.handle });
    clients.push(client);
    await client.start();
    return node;
  };
  const experiment = (minNodes: number): Experiment =>
    new Experiment({ tags: ['wdbc'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: {}, minNodes, server: createTransportFederation(server), seed: 1 });
  const failure = async (promise: Promise<unknown>): Promise<ResearcherError> => {
    try {
      await promise;
    } catch (error) {
      return error as ResearcherError;
    }
    throw new Error('expected a failure');
  };

  beforeEach(async () => {
    decisions.clear();
    server = new ResearcherServer({ enrolmentTokens: [TOKEN] });
    await server.start();
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.stop());
    await server.stop();
  });

  it('waits for enough operators, reports each node as its answer changes, and leaves rejecting nodes out', async () => {
    const nodes = await Promise.all(['a', 'b', 'c'].map((id) => connect(new OperatedNode(id, decisions))));
    const bystander = await connect(new OperatedNode('d', decisions, false));
    await waitForNodes(server, { count: 4, timeoutMs: 10_000 });
    const exp = experiment(2);
    const events: ExperimentEvent[] = [];
    exp.subscribe((event) => {
      events.push(event);
      // The operators act once they see the plan pending: a approves, c rejects, then b approves.
      if (event.type === 'approval-pending' && event.nodeId === 'c') {
        decisions.set('a', 'PLAN_STATUS_APPROVED');
        decisions.set('c', 'PLAN_STATUS_REJECTED');
      }
      if (event.type === 'approval-rejected') decisions.set('b', 'PLAN_STATUS_APPROVED');
    });

    const statuses = await exp.ensureApproved({ description: 'toy', pollIntervalMs: 20, timeoutMs: 10_000 });

    expect(statuses.map((s) => [s.nodeId, s.status])).toEqual([
      ['a', 'PLAN_STATUS_APPROVED'],
      ['b', 'PLAN_STATUS_APPROVED'],
      ['c', 'PLAN_STATUS_REJECTED'],
    ]);
    const approvalEvents = events.filter((e) => e.type.startsWith('approval-')).map((e) => `${e.type} ${'nodeId' in e ? e.nodeId : ''}`);
    expect(approvalEvents.slice(0, 3).sort()).toEqual(['approval-pending a', 'approval-pending b', 'approval-pending c']);
    expect(approvalEvents.slice(3)).toEqual(['approval-granted a', 'approval-rejected c', 'approval-granted b']);
    expect(events.find((e) => e.type === 'approval-pending')).toMatchObject({ planSha256: plan.plan.sha256, planName: 'toy', message: expect.stringContaining('waiting for the operator') });
    expect(bystander.received).not.toContain('approval');
    expect(nodes.map((n) => n.received.filter((body) => body === 'approval').length)).toEqual([1, 1, 1]);

    const round = await exp.runOnce();
    expect(round.nodes.map((n) => n.nodeId)).toEqual(['a', 'b']);
    expect(round.failures).toEqual([]);
    expect(nodes[2]!.received).not.toContain('train');
    exp.close();
  });

  it('fails after the timeout naming the nodes still pending', async () => {
    await Promise.all(['a', 'b', 'c'].map((id) => connect(new OperatedNode(id, decisions))));
    await waitForNodes(server, { count: 3 });
    decisions.set('a', 'PLAN_STATUS_APPROVED');
    const exp = experiment(2);

    const error = await failure(exp.ensureApproved({ pollIntervalMs: 20, timeoutMs: 300 }));

    expect(error).toBeInstanceOf(ResearcherError);
    expect(error.code).toBe('APPROVAL_TIMEOUT');
    expect(error.message).toContain('approved by 1 node(s) of the 2 needed after 300 ms; still pending on Hospital b, Hospital c');
    exp.close();
  });

  it('fails at once when rejections leave too few nodes to reach minNodes', async () => {
    await Promise.all(['a', 'b'].map((id) => connect(new OperatedNode(id, decisions))));
    await waitForNodes(server, { count: 2 });
    decisions.set('b', 'PLAN_STATUS_REJECTED');
    const exp = experiment(2);
    const started = Date.now();

    const error = await failure(exp.ensureApproved({ pollIntervalMs: 20, timeoutMs: 60_000 }));

    expect(error.code).toBe('APPROVAL_REJECTED');
    expect(error.message).toMatch(/rejected by Hospital b \(plan is rejected: not on this data\); 0 approved and 1 still pending cannot reach minNodes 2/);
    expect(Date.now() - started).toBeLessThan(10_000);
    exp.close();
  });

  it('waitForNodes resolves once enough nodes are online, and times out naming those that are', async () => {
    const waiting = waitForNodes(server, { count: 2, timeoutMs: 10_000 });
    await connect(new OperatedNode('a', decisions));
    await connect(new OperatedNode('b', decisions));
    expect((await waiting).map((n) => n.id).sort()).toEqual(['a', 'b']);

    const error = await failure(waitForNodes(server, { count: 3, timeoutMs: 200 }));
    expect(error.code).toBe('NODES_TIMEOUT');
    expect(error.message).toBe('waited 200 ms for 3 node(s); 2 online: Hospital a, Hospital b');
    await expect(waitForNodes(server, { count: 0 })).rejects.toThrow('waitForNodes: count must be a positive integer, got 0');
  });
});
