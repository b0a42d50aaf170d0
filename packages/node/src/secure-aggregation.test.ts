import { join } from 'node:path';
import { NeighbourGraph, SecAggClient, type AdvertisedKeys, type SecAggParameters } from '@fedbiomed/secagg';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { packTensors, type RequestContext, type Tensor } from '@fedbiomed/transport';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { logisticPlan, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

const context = (requestId: string): RequestContext => ({ requestId, signal: new AbortController().signal, sendScalar: () => undefined, sendLog: () => undefined });

// A real node (SQLite registry, WDBC CSV, approved plan) whose policy requires secure aggregation,
// its dispatcher driven by a test that plays the researcher, honest or not. The two other
// participants are @fedbiomed/secagg clients in this process.
describe('a node requiring secure aggregation', () => {
  let tmp: TempDir;
  let node: Node;
  let dispatcher: Dispatcher;
  let datasetId: string;
  const built = logisticPlan(30);
  let requests = 0;

  const ask = async (body: Record<string, unknown>, tensors: Map<string, Tensor[]> = new Map()) => {
    const requestId = `r${++requests}`;
    return (await dispatcher.handle({ requestId, experimentId: 'exp-secagg', ...body } as never, tensors, context(requestId))).reply;
  };
  const train = async (extra: Record<string, unknown>) => {
    const { request, payload } = trainRequest(built, datasetId, { experimentId: 'exp-secagg', args: { testRatio: 0.2 } });
    return ask({ body: 'train', train: { ...request.train, ...extra } }, new Map([[payload.set.transferId, [...payload.tensors]]]));
  };

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-secagg-');
    const dir = join(tmp.path, 'node');
    node = createNode({ dir, config: initNodeFolder(dir, { nodeId: 'n', logLevel: 'silent', policy: { requireSecureAggregation: true } }) });
    const [full] = writeWdbcSlices(tmp.path, 1);
    datasetId = (await node.datasets.add({ dataType: 'csv', path: full!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'a')).id;
    node.plans.submit(built.plan, { by: 'r' });
    node.plans.approve(built.plan.sha256, { by: 'a' });
    dispatcher = createDispatcher(node, () => 'researcher');
  });
  afterAll(() => {
    node.close();
    tmp.dispose();
  });

  it('refuses a train request that sets the secureAggregation flag without taking part in a round', async () => {
    const reply = await train({ args: { ...trainRequest(built, datasetId).request.train?.args, secureAggregation: true } });
    expect(reply.error).toMatchObject({ code: 'ERROR_CODE_POLICY_VIOLATION', message: expect.stringMatching(/requires secure aggregation.*this request is not one/) });
    const named = await train({ secureAggregation: { sessionId: 'no-such-session', shares: [] } });
    expect(named.error?.message).toMatch(/no secure-aggregation session no-such-session in experiment exp-secagg/);
  });

  it('trains inside a real round, sends only masked words, and refuses to reveal both shares of one node', async () => {
    const parameters: SecAggParameters = {
      sessionId: 'session-node-test',
      participants: ['n', 'peer-a', 'peer-b'],
      threshold: 2,
      neighbours: 2,
      clipRange: 4,
      weightBounds: { n: 569, 'peer-a': 100, 'peer-b': 100 },
    };
    const peers = ['peer-a', 'peer-b'].map((id) => new SecAggClient(id, parameters));
    const setup = await ask({ body: 'secaggSetup', secaggSetup: { parameters: { ...parameters, weighting: 'dataset_size' }, round: 1, datasetId } });
    const mine = setup.secaggSetup?.keys;
    expect(mine?.nodeId).toBe('n');
    const keys: AdvertisedKeys[] = [
      { nodeId: 'n', cipherPublicKey: new Uint8Array(mine!.cipherPublicKey as Buffer), maskPublicKey: new Uint8Array(mine!.maskPublicKey as Buffer) },
      ...peers.map((peer) => peer.advertiseKeys()),
    ];
    // Three nodes with two neighbours each: the complete graph, whatever the transcript's permutation.
    const neighboursOf = (id: string): string[] => parameters.participants.filter((other) => other !== id);
    const shared = await ask({ body: 'secaggShareKeys', secaggShareKeys: { sessionId: parameters.sessionId, keys, neighbours: neighboursOf('n') } });
    const fromNode = shared.secaggShareKeys?.shares ?? [];
    expect(fromNode.map((s) => s.toNode).sort()).toEqual(['peer-a', 'peer-b']);
    const peerShares = peers.flatMap((peer) => peer.shareKeys(keys, neighboursOf(peer.nodeId)));

    const reply = await train({
      secureAggregation: { sessionId: parameters.sessionId, shares: peerShares.filter((s) => s.to === 'n').map((s) => ({ fromNode: s.from, toNode: s.to, ciphertext: Buffer.from(s.ciphertext) })) },
    });
    expect(reply.error).toBeUndefined();
    expect(reply.train?.isDelta).toBe(true);
    expect(reply.train?.weights?.tensors).toEqual([expect.objectContaining({ name: 'secagg.masked_update', dtype: 'DTYPE_INT32', shape: [31] })]);
    expect(Object.keys(reply.train?.aux ?? {})).toEqual([]);

    // A researcher asking for both shares of peer-b, in one request, then across two.
    const both = await ask({ body: 'secaggUnmask', secaggUnmask: { sessionId: parameters.sessionId, survivors: ['n', 'peer-b'], dropped: ['peer-b'] } });
    expect(both.error).toMatchObject({ code: 'ERROR_CODE_POLICY_VIOLATION', message: expect.stringMatching(/refuses .* both the self-mask share and the mask-key share of "peer-b"/) });
    const first = await ask({ body: 'secaggUnmask', secaggUnmask: { sessionId: parameters.sessionId, survivors: ['n', 'peer-a'], dropped: ['peer-b'] } });
    expect(first.secaggUnmask?.keyShares?.map((s) => s.owner)).toEqual(['peer-b']);
    const second = await ask({ body: 'secaggUnmask', secaggUnmask: { sessionId: parameters.sessionId, survivors: ['n', 'peer-b'], dropped: ['peer-a'] } });
    expect(second.error?.message).toMatch(/both the self-mask share and the mask-key share of "peer-b"/);

    const audit = node.audit();
    expect(audit.find((e) => e.action === 'train' && e.outcome === 'done')?.detail).toMatch(/; protection: secagg \(session session-node-test: 3 participants, masked with 2 neighbours, threshold 2, \d+ coordinates clipped to ±4, weight \d+\)$/);
    expect(audit.filter((e) => e.action === 'secagg.unmask').map((e) => e.outcome)).toEqual(['refused', 'done', 'refused']);
  });

  it('refuses, and audits, a neighbour list that is not the one the round\'s transcript gives', async () => {
    const parameters: SecAggParameters = {
      sessionId: 'session-forged-graph',
      participants: ['n', 'p1', 'p2', 'p3', 'p4', 'p5'],
      threshold: 2,
      neighbours: 2,
      clipRange: 4,
      weightBounds: { n: 569, p1: 1, p2: 1, p3: 1, p4: 1, p5: 1 },
    };
    const setup = await ask({ body: 'secaggSetup', secaggSetup: { parameters: { ...parameters, weighting: 'dataset_size' }, round: 2, datasetId } });
    const mine = setup.secaggSetup?.keys;
    const keys: AdvertisedKeys[] = [
      { nodeId: 'n', cipherPublicKey: new Uint8Array(mine!.cipherPublicKey as Buffer), maskPublicKey: new Uint8Array(mine!.maskPublicKey as Buffer) },
      ...['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => new SecAggClient(id, parameters).advertiseKeys()),
    ];
    const honest = NeighbourGraph.fromTranscript(parameters, keys).neighboursOf('n');
    // A researcher colluding with two nodes of its choice lists them as n's neighbours instead.
    const forged = ['p1', 'p2', 'p3', 'p4', 'p5'].filter((id) => !honest.includes(id)).slice(0, 2);
    const reply = await ask({ body: 'secaggShareKeys', secaggShareKeys: { sessionId: parameters.sessionId, keys, neighbours: forged } });
    expect(reply.secaggShareKeys).toBeFalsy();
    expect(reply.error).toMatchObject({ code: 'ERROR_CODE_POLICY_VIOLATION', message: expect.stringMatching(/GRAPH_MISMATCH: the researcher lists neighbours \[.*\] for node "n" .* but the round's transcript gives \[.*\]/) });
    expect(node.audit().some((e) => e.action === 'secagg.share-keys' && e.outcome === 'refused' && /GRAPH_MISMATCH/.test(e.detail ?? ''))).toBe(true);
  });

  it('evaluates (metrics only, no update) and says so in its audit log', async () => {
    const payload = packTensors(built.initialWeights.map((w) => ({ name: w.name, dtype: 'DTYPE_FLOAT32' as const, shape: w.shape, data: new Uint8Array(w.values.buffer) })));
    const reply = await ask(
      { body: 'evaluate', evaluate: { datasetId, plan: built.plan, weights: payload.set, metrics: ['accuracy'], testRatio: 0.2, randomSeed: 7 } },
      new Map([[payload.set.transferId, [...payload.tensors]]]),
    );
    expect(reply.evaluate?.metrics?.sampleCount).toBeGreaterThan(0);
    expect(node.audit({ action: 'evaluate', limit: 1 })[0]?.detail).toMatch(/samples; protection: metrics-only$/);
  });
});
