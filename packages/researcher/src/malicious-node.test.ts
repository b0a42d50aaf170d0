// A malicious node against the researcher, over real gRPC on loopback (docs/security.md): one
// honest node and one node whose train reply is crafted. Whatever the crafted node sends, the round
// completes with the honest node's update only, and the attacker is reported by code and name.
import type { Request__Output } from '@fedbiomed/proto';
import { FedAvg } from '@fedbiomed/strategy';
import { asFloat32Array, float32Tensor, NodeClient, packTensors, ResearcherServer, type HandlerResult, type ReceivedTensors, type Tensor } from '@fedbiomed/transport';
import { Experiment } from './experiment';
import { MAX_UPDATE_NORM_RATIO } from './update-norm';
import { createTransportFederation } from './transport-federation';

const TOKEN = 'malicious-node-test';
const REGISTERED_ROWS = 30;
const plan = {
  plan: { canonicalJson: '{}', sha256: 'beef', kind: 'tfjs-layers', name: 'toy' },
  initialWeights: [
    { name: 'dense/kernel', shape: [2, 1], values: new Float32Array([1, 2]) },
    { name: 'dense/bias', shape: [1], values: new Float32Array([3]) },
  ],
};

/** What a crafted reply changes: the tensors sent back (from the global ones) and the counts claimed. */
interface Craft {
  readonly tensors: (global: Tensor[]) => Tensor[];
  readonly sampleCount?: number;
  readonly trainSize?: number;
  /** The round the reply claims to answer (default: the request's). */
  readonly round?: number;
}

const shifted = (by: number) => (global: Tensor[]) => global.map((t) => float32Tensor(t.name, t.shape, asFloat32Array(t).map((v) => v + by)));

/** A node with `REGISTERED_ROWS` rows that answers search and replies to train as `craft` says. */
function node(craft: Craft) {
  return async (request: Request__Output, tensors: ReceivedTensors): Promise<HandlerResult> => {
    if (request.search) {
      return { reply: { search: { datasets: [{ id: 'ds', name: 'heart', tags: ['heart'], dataType: 'csv', sampleCount: REGISTERED_ROWS }] } } };
    }
    const train = request.train;
    if (!train) throw new Error(`unexpected ${request.body} request`);
    const weights = packTensors(craft.tensors(tensors.get(train.globalWeights?.transferId ?? '') ?? []));
    return {
      reply: {
        train: { datasetId: 'ds', round: craft.round ?? train.round, sampleCount: craft.sampleCount ?? 10, trainSize: craft.trainSize ?? REGISTERED_ROWS, weights: weights.set, numUpdates: 1, backend: 'test' },
      },
      tensors: [weights],
    };
  };
}

describe('a malicious node against the researcher (real gRPC on loopback)', () => {
  let server: ResearcherServer;
  const clients: NodeClient[] = [];

  beforeEach(async () => {
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: { debug() {}, info() {}, warn() {}, error() {} } });
    await server.start();
  });
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.stop());
    await server.stop();
  });

  const connect = async (nodeId: string, craft: Craft): Promise<void> => {
    const client = new NodeClient({ address: `127.0.0.1:${server.port}`, nodeId, nodeName: `Hospital ${nodeId}`, enrolmentToken: TOKEN, handler: node(craft) });
    clients.push(client);
    await client.start();
  };

  it.each<[string, Craft, string, RegExp]>([
    ['NaN in its weights', { tensors: (g) => shifted(0)(g).map((t, i) => (i === 0 ? float32Tensor(t.name, t.shape, new Float32Array([NaN, 1])) : t)) }, 'BAD_REPLY', /weights hold NaN at flat index 0/],
    ['+Infinity in its weights', { tensors: (g) => shifted(0)(g).map((t, i) => (i === 1 ? float32Tensor(t.name, t.shape, new Float32Array([Infinity])) : t)) }, 'BAD_REPLY', /weights hold Infinity at flat index 2/],
    ['an update of huge norm (every weight + 1e30)', { tensors: shifted(1e30) }, 'UPDATE_TOO_LARGE', /update has L2 norm 1\.732e\+30, above 1000 × max\(1, ‖global weights‖ = 3\.742e\+0\) = 3\.742e\+3; reply refused/],
    ['a tensor of the wrong shape', { tensors: (g) => shifted(1)(g).map((t) => (t.name === 'dense/kernel' ? float32Tensor(t.name, [1, 2], asFloat32Array(t)) : t)) }, 'BAD_REPLY', /expected shape \[2, 1\] \(2 values\), got shape \[1, 2\] \(2 values\) \(tensor "dense\/kernel"\)/],
    ['a tensor of the wrong length', { tensors: (g) => shifted(1)(g).map((t) => (t.name === 'dense/bias' ? float32Tensor(t.name, [3], new Float32Array(3)) : t)) }, 'BAD_REPLY', /expected shape \[1\] \(1 values\), got shape \[3\] \(3 values\) \(tensor "dense\/bias"\)/],
    ['a tensor the model does not have', { tensors: (g) => [...shifted(1)(g), float32Tensor('extra', [1], new Float32Array(1))] }, 'BAD_REPLY', /tensor is not in the layout \(tensor "extra"\)/],
    ['n = 10^12 samples (train split of 10^12 rows)', { tensors: shifted(100), sampleCount: 1e12, trainSize: 1e12 }, 'INFLATED_SAMPLE_COUNT', /claims a train split of 1000000000000 rows, more than the 30 rows of dataset ds it reported at search time/],
    ['a reply for another round', { tensors: shifted(100), round: 7 }, 'BAD_REPLY', /reply is for round 7, expected 1/],
    ['n = 10^12 samples processed', { tensors: shifted(100), sampleCount: 1e12 }, 'INFLATED_SAMPLE_COUNT', /claims 1000000000000 samples processed, more than the 32 that numUpdates 1 × batchSize 32 allows/],
  ])('refuses %s, names the node, and aggregates the honest update only', async (_what, craft, code, reason) => {
    await connect('honest', { tensors: shifted(1) });
    await connect('mallory', craft);
    const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: { numUpdates: 1 }, server: createTransportFederation(server), seed: 1 });

    const [result] = await experiment.run();

    expect(result?.nodes.map((n) => n.nodeId)).toEqual(['honest']);
    expect(result?.failures).toEqual([{ nodeId: 'mallory', nodeName: 'Hospital mallory', code, reason: expect.stringMatching(reason) }]);
    expect(Array.from(experiment.weights)).toEqual([2, 3, 4]);
    experiment.close();
  });

  it('still aggregates an honest update just below the norm bound', async () => {
    // ‖global‖ = √14 ≈ 3.742: an update of norm 3000 (each weight + 3000/√3) is large but allowed.
    const step = 3000 / Math.sqrt(3);
    expect(3000).toBeLessThan(MAX_UPDATE_NORM_RATIO * Math.sqrt(14));
    await connect('bold', { tensors: shifted(step) });
    const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: { numUpdates: 1 }, server: createTransportFederation(server), seed: 1 });

    const [result] = await experiment.run();

    expect(result?.failures).toEqual([]);
    expect(experiment.weights[2]).toBeCloseTo(3 + step, 2);
    experiment.close();
  });
});
