import type { Request__Output } from '@fedbiomed/proto';
import { FedAvg } from '@fedbiomed/strategy';
import { asFloat32Array, float32Tensor, NodeClient, packTensors, ResearcherServer, type HandlerResult, type ReceivedTensors, type RequestContext } from '@fedbiomed/transport';
import { Experiment } from './experiment';
import type { ExperimentEvent } from './experiment-events';
import { createTransportFederation } from './transport-federation';

// Real gRPC on 127.0.0.1: a ResearcherServer and NodeClients whose handlers stand in for the node
// runtime (tested in @fedbiomed/node), so this file checks only the researcher's mapping of
// requests, tensors, errors and scalars onto the wire.
const TOKEN = 'federation-test';
const plan = {
  plan: { canonicalJson: '{}', sha256: 'f00d', kind: 'tfjs-layers', name: 'toy' },
  initialWeights: [
    { name: 'dense/kernel', shape: [2, 1], values: new Float32Array([1, 2]) },
    { name: 'dense/bias', shape: [1], values: new Float32Array([3]) },
  ],
};

/** What a node's train reply claims besides `samples`: its train split, samples processed (default `samples`). */
interface Claims {
  readonly trainSize?: number;
  readonly processed?: number;
}

/**
 * A node that registered `samples` rows, adds `step` to every weight, reports its control variate as
 * one flat tensor and streams one scalar.
 */
function handler(step: number, samples: number, refuse = false, claims: Claims = {}) {
  return async (request: Request__Output, tensors: ReceivedTensors, context: RequestContext): Promise<HandlerResult> => {
    if (request.search) {
      return { reply: { search: { datasets: [{ id: 'ds', name: 'heart', tags: ['heart'], dataType: 'csv', sampleCount: samples }] } } };
    }
    if (request.planStatus) return { reply: { planStatus: { planSha256: request.planStatus.planSha256, status: refuse ? 'PLAN_STATUS_REJECTED' : 'PLAN_STATUS_APPROVED' } } };
    const train = request.train;
    if (!train) throw new Error('unexpected request');
    if (refuse) return { reply: { error: { code: 'ERROR_CODE_PLAN_NOT_APPROVED', message: `plan ${train.plan?.sha256} is not approved here` } } };
    const received = tensors.get(train.globalWeights?.transferId ?? '') ?? [];
    const local = received.map((t) => float32Tensor(t.name, t.shape, asFloat32Array(t).map((v) => v + step)));
    const weights = packTensors(local);
    const control = packTensors([float32Tensor('scaffold.node_control', [3], new Float32Array([step, step, step]))]);
    context.sendScalar({ experimentId: request.experimentId, round: train.round, name: 'loss', value: 1 / step, step: 1, phase: 'train' });
    return {
      reply: {
        train: {
          datasetId: 'ds',
          round: train.round,
          sampleCount: claims.processed ?? samples,
          ...(claims.trainSize !== undefined ? { trainSize: claims.trainSize } : {}),
          weights: weights.set,
          aux: { 'scaffold.node_control': control.set },
          metricsAfter: { values: { accuracy: step / 10 }, sampleCount: samples },
          numUpdates: 1,
          backend: 'test',
        },
      },
      tensors: [weights, control],
    };
  };
}

describe('createTransportFederation (real gRPC on loopback)', () => {
  let server: ResearcherServer;
  const clients: NodeClient[] = [];

  const connect = async (nodeId: string, handle: ReturnType<typeof handler>): Promise<void> => {
    const client = new NodeClient({ address: `127.0.0.1:${server.port}`, nodeId, nodeName: `Hospital ${nodeId}`, enrolmentToken: TOKEN, handler: handle });
    clients.push(client);
    await client.start();
  };

  beforeEach(async () => {
    server = new ResearcherServer({ enrolmentTokens: [TOKEN] });
    await server.start();
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.stop());
    await server.stop();
  });

  it('runs a round: weights and strategy state travel as tensors, scalars reach the experiment', async () => {
    await connect('a', handler(1, 10));
    await connect('b', handler(3, 30));
    const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: { numUpdates: 1 }, server: createTransportFederation(server), seed: 1 });
    const scalars: ExperimentEvent[] = [];
    experiment.subscribe((event) => event.type === 'scalar' && scalars.push(event));

    const [result] = await experiment.run();

    // FedAvg of +1 (10 samples) and +3 (30 samples) is +2.5 on every weight.
    expect(Array.from(experiment.weights)).toEqual([3.5, 4.5, 5.5]);
    expect(result?.metricsAfter.values['accuracy']).toBeCloseTo(0.25, 10);
    // Out: 3 float32 weights; back: 3 weights and a control variate of 3 float32s.
    expect(result?.nodes.map((node) => [node.bytesSent, node.bytesReceived])).toEqual([
      [12, 24],
      [12, 24],
    ]);
    expect(scalars).toEqual(
      expect.arrayContaining([expect.objectContaining({ nodeId: 'a', name: 'loss', value: 1, round: 1 }), expect.objectContaining({ nodeId: 'b', name: 'loss', value: 1 / 3 })]),
    );
    experiment.close();
  });

  it('weights updates by the train split each node reports by default, by samples processed on request', async () => {
    // Both nodes process 32 samples; their train splits hold 90 and 30 rows of the 100 they registered.
    const run = async (strategy: FedAvg): Promise<number[]> => {
      const experiment = new Experiment({ tags: ['heart'], plan, strategy, rounds: 1, trainingArgs: { numUpdates: 1 }, server: createTransportFederation(server), seed: 1 });
      await experiment.run();
      experiment.close();
      return Array.from(experiment.weights);
    };
    await connect('a', handler(1, 100, false, { trainSize: 90, processed: 32 }));
    await connect('b', handler(3, 100, false, { trainSize: 30, processed: 32 }));

    // (90·1 + 30·3) / 120 = +1.5; by samples processed, (32·1 + 32·3) / 64 = +2.
    expect(await run(new FedAvg())).toEqual([2.5, 3.5, 4.5]);
    expect(await run(new FedAvg({ weighting: 'processed' }))).toEqual([3, 4, 5]);
  });

  it.each([
    ['a train split larger than the dataset it registered', { trainSize: 3000 }, /Hospital b \(b\) claims a train split of 3000 rows, more than the 30 rows of dataset ds/],
    ['more samples processed than numUpdates × batchSize allows', { processed: 1_000_000 }, /Hospital b \(b\) claims 1000000 samples processed, more than the 32 that numUpdates 1 × batchSize 32 allows/],
  ])('refuses a crafted reply claiming %s, naming the node, and aggregates without it', async (_what, claims, message) => {
    await connect('a', handler(1, 10));
    await connect('b', handler(3, 30, false, claims));
    const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: { numUpdates: 1 }, server: createTransportFederation(server), seed: 1 });

    const [result] = await experiment.run();

    expect(result?.nodes.map((n) => n.nodeId)).toEqual(['a']);
    expect(result?.failures).toEqual([{ nodeId: 'b', nodeName: 'Hospital b', code: 'INFLATED_SAMPLE_COUNT', reason: expect.stringMatching(message) }]);
    // Only a's +1 went into the model.
    expect(Array.from(experiment.weights)).toEqual([2, 3, 4]);
    experiment.close();
  });

  it("reports a node's refusal with its code and reason, and the plan status per node", async () => {
    await connect('a', handler(1, 10));
    await connect('b', handler(1, 10, true));
    const experiment = new Experiment({ tags: ['heart'], plan, strategy: new FedAvg(), rounds: 1, trainingArgs: {}, server: createTransportFederation(server) });

    const statuses = await experiment.planStatus();
    const result = await experiment.runOnce();

    expect(statuses.map((s) => [s.nodeId, s.status])).toEqual([
      ['a', 'PLAN_STATUS_APPROVED'],
      ['b', 'PLAN_STATUS_REJECTED'],
    ]);
    expect(result.nodes.map((n) => n.nodeId)).toEqual(['a']);
    expect(result.failures).toEqual([
      { nodeId: 'b', nodeName: 'Hospital b', code: 'PLAN_NOT_APPROVED', reason: expect.stringContaining('plan f00d is not approved here') },
    ]);
  });
});
