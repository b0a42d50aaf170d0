import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { ResearcherServer } from '@fedbiomed/transport';
import { createNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { startNode } from './node-runtime';
import { logisticPlan, SILENT_LOGGER, trainRequest, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

const TOKEN = 'enrol-secret';

describe('training.threads: data-parallel rounds on a running node', () => {
  let tmp: TempDir;
  let server: ResearcherServer;
  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-threads-');
    server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: SILENT_LOGGER, researcherId: 'researcher-1' });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    tmp.dispose();
  });

  async function nodeWith(nodeId: string, backend: 'wasm' | 'cpu'): Promise<{ node: Node; datasetId: string }> {
    const dir = join(tmp.path, nodeId);
    const config = initNodeFolder(dir, {
      nodeId,
      nodeName: nodeId,
      researcher: { address: `127.0.0.1:${server.port}`, enrolmentToken: TOKEN },
      training: { backend, threads: 2 },
      logLevel: 'silent',
    });
    const node = createNode({ dir, config });
    const [file] = writeWdbcSlices(dir, 1);
    const datasetId = (await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice')).id;
    return { node, datasetId };
  }

  it('trains on two threads with the wasm backend and reaches the accuracy of one', async () => {
    const { node, datasetId } = await nodeWith('hospital-threads', 'wasm');
    const running = await startNode(node);
    try {
      expect(running.backend).toBe('wasm');
      expect(running.trainingThreads).toBe(2);
      const built = logisticPlan(30);
      await server.request('hospital-threads', { approval: { plan: built.plan, description: 'WDBC logistic regression' } }, { timeoutMs: 10_000 });
      node.plans.approve(built.plan.sha256, { by: 'alice' });
      const task = trainRequest(built, datasetId, { args: { epochs: 3 } });
      const { reply } = await server.request('hospital-threads', task.request, { tensors: [task.payload], timeoutMs: 60_000 });
      expect(reply.train!.metricsAfter!.values['accuracy']!).toBeGreaterThan(0.9);
    } finally {
      await running.stop();
      node.close();
    }
  });

  it('ignores training.threads on a backend that schedules its own threads', async () => {
    const { node } = await nodeWith('hospital-cpu', 'cpu');
    const running = await startNode(node);
    try {
      expect(running.backend).toBe('cpu');
      expect(running.trainingThreads).toBe(1);
    } finally {
      await running.stop();
      node.close();
    }
  });
});
