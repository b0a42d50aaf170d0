import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildPlan, compressWeights, resolveCodec, type BuiltPlan, type CompressionSpec } from '@fedbiomed/training';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { packTensors, ResearcherServer } from '@fedbiomed/transport';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { startNode, type RunningNode } from './node-runtime';
import { remoteError, SILENT_LOGGER, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

tf.env().set('IS_TEST', true);

const TOKEN = 'compression-secret';

function mlpPlan(compression: CompressionSpec): BuiltPlan {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ name: 'hidden', inputShape: [30], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  try {
    return buildPlan(model, {
      name: `mlp ${JSON.stringify(compression)}`,
      loss: 'binary_crossentropy',
      optimizer: { name: 'sgd', learningRate: 0.05 },
      metrics: ['loss'],
      preprocessing: [{ name: 'standardize', params: { statistics: 'local' } }],
      compression,
    });
  } finally {
    model.dispose();
  }
}

/** One node on a WDBC slice over real gRPC on loopback, running plans without approval. */
describe('a node trains a plan with compressed updates', () => {
  let tmp: TempDir;
  let server: ResearcherServer;
  let node: Node;
  let running: RunningNode;
  let datasetId = '';
  const topK = mlpPlan({ up: { name: 'top_k', params: { fraction: 0.1 } } });
  const float16Down = mlpPlan({ down: { name: 'float16', params: {} }, up: { name: 'qsgd', params: { bits: 8 } } });
  const residualKeys = (experimentId: string) =>
    node.repository.listStateKeys(experimentId).filter((key) => key.key.startsWith('tensor:compression.residual:')).map((key) => key.key);

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-compression-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: SILENT_LOGGER, researcherId: 'researcher-1' });
    const port = await server.start();
    const dir = join(tmp.path, 'hospital');
    const config = initNodeFolder(dir, { nodeId: 'hospital', researcher: { address: `127.0.0.1:${port}`, enrolmentToken: TOKEN }, logLevel: 'silent', policy: { requirePlanApproval: false } });
    node = createNode({ dir, config });
    const [file] = writeWdbcSlices(dir, 1);
    datasetId = (await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    running = await startNode(node);
  });

  afterAll(async () => {
    await running.stop();
    await server.stop();
    node.close();
    tmp.dispose();
  });

  it('replies with a top-k encoded delta and keeps the error-feedback residual in its SQLite state across rounds', async () => {
    const residuals: Buffer[][] = [];
    for (const round of [1, 2]) {
      const { request, payload } = trainRequest(topK, datasetId, { round, experimentId: 'exp-topk', args: { metrics: ['loss'] } });
      const answer = await server.request('hospital', request, { tensors: [payload], timeoutMs: 60_000 });
      expect(answer.reply.train?.isDelta).toBe(true);
      const sent = answer.tensors.get(answer.reply.train!.weights!.transferId)!;
      expect(sent.map((t) => [t.name, t.dtype])).toEqual(topK.initialWeights.map((w) => [w.name, 'DTYPE_UINT8']));
      // 10% of the values (float32 plus an index gap each) against 4 bytes for every value.
      const float32Bytes = topK.initialWeights.reduce((n, w) => n + w.values.byteLength, 0);
      expect(sent.reduce((n, t) => n + t.data.length, 0)).toBeLessThan(float32Bytes / 4);
      expect(residualKeys('exp-topk')).toEqual(topK.initialWeights.map((w) => `tensor:compression.residual:${w.name}`).sort());
      residuals.push(residualKeys('exp-topk').map((key) => node.repository.getState({ experimentId: 'exp-topk', datasetId, key })!));
    }
    // The residual is carried and updated, one float32 a weight, not reset each round.
    residuals[1]!.forEach((residual, i) => expect(residual.length).toBe(residuals[0]![i]!.length));
    // hidden/kernel (480 values, 48 sent a round): what was left out changes from round to round.
    const kernel = residualKeys('exp-topk').indexOf('tensor:compression.residual:hidden/kernel');
    expect(residuals[1]![kernel]!.equals(residuals[0]![kernel]!)).toBe(false);
  }, 120_000);

  it('decodes a float16 global model, keeps no residual for an unbiased quantiser, and refuses float32 or corrupt bytes', async () => {
    const half = compressWeights(resolveCodec({ name: 'float16', params: {} }), float16Down.initialWeights, { seed: 1 }).compressed;
    const encoded = packTensors(half.map((c) => ({ name: c.name, dtype: 'DTYPE_UINT8' as const, shape: [c.bytes.length], data: c.bytes })));
    const { request } = trainRequest(float16Down, datasetId, { experimentId: 'exp-half', args: { metrics: ['loss'] } });
    const answer = await server.request('hospital', { ...request, train: { ...request.train!, globalWeights: encoded.set } }, { tensors: [encoded], timeoutMs: 60_000 });
    expect(answer.reply.train?.isDelta).toBe(true);
    expect(residualKeys('exp-half')).toEqual([]);

    const plain = trainRequest(float16Down, datasetId, { experimentId: 'exp-half' });
    const refused = await remoteError(server.request('hospital', plain.request, { tensors: [plain.payload], timeoutMs: 60_000 }));
    expect(refused.message).toMatch(/global weights: tensor "hidden\/kernel" is DTYPE_FLOAT32; the plan compresses them with "float16"/);

    const truncated = packTensors(half.map((c, i) => ({ name: c.name, dtype: 'DTYPE_UINT8' as const, shape: [c.bytes.length - (i === 0 ? 4 : 0)], data: i === 0 ? c.bytes.subarray(0, c.bytes.length - 4) : c.bytes })));
    const corrupt = await remoteError(
      server.request('hospital', { ...request, train: { ...request.train!, globalWeights: truncated.set } }, { tensors: [truncated], timeoutMs: 60_000 }),
    );
    expect(corrupt.message).toMatch(/global weights: compressed tensor \(float16\): tensor "hidden\/kernel": .*not a CompressedTensor message/);
  }, 120_000);
});
