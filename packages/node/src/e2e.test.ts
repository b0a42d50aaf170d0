/**
 * End to end: a researcher server in this process and three spawned `fedbiomed node start`
 * processes on loopback run one FedAvg round on WDBC split across them. Every byte each node sends
 * passes through a recording TCP proxy, searched afterwards for the dataset's raw values.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { createLayout, FedAvg, type FitResult } from '@fedbiomed/strategy';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { asFloat32Array, float32Tensor, packTensors, ResearcherServer, type NodeReply } from '@fedbiomed/transport';
import { openNode } from './node';
import { logisticPlan, runNodeCli, SILENT_LOGGER, spawnNodeCli, trainRequest, waitOnline, WDBC_CSV_OPTIONS, wdbcLines, writeWdbcSlices } from './testing/fixtures';

jest.setTimeout(240_000);

const TOKEN = 'e2e-enrolment-token';
const NODES = 3;

/** A loopback TCP proxy to `port` that keeps every byte the client side sends. */
async function recordingProxy(port: number): Promise<{ server: Server; port: number; sent: Buffer[] }> {
  const sent: Buffer[] = [];
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    client.on('data', (data: Buffer) => {
      sent.push(Buffer.from(data));
      upstream.write(data);
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port, sent };
}

describe('three spawned nodes and a researcher run one FedAvg round on WDBC', () => {
  let tmp: TempDir;
  let researcher: ResearcherServer;
  const proxies: Array<Awaited<ReturnType<typeof recordingProxy>>> = [];
  const processes = new Map<string, ChildProcess>();
  const dirs: string[] = [];
  const nodeIds = Array.from({ length: NODES }, (_, i) => `hospital-${i}`);
  const built = logisticPlan(30);

  const start = async (i: number): Promise<void> => {
    const online = waitOnline(researcher, nodeIds[i]!);
    const child = spawnNodeCli(dirs[i]!, ['start']);
    child.stderr?.on('data', () => undefined);
    child.stdout?.on('data', () => undefined);
    processes.set(nodeIds[i]!, child);
    await online;
  };
  const stop = async (i: number): Promise<number | null> => {
    const child = processes.get(nodeIds[i]!)!;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    processes.delete(nodeIds[i]!);
    return code;
  };

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-e2e-');
    researcher = new ResearcherServer({ enrolmentTokens: [TOKEN], researcherId: 'researcher-e2e', logger: SILENT_LOGGER });
    const port = await researcher.start();
    const slices = writeWdbcSlices(tmp.path, NODES);
    await Promise.all(
      nodeIds.map(async (nodeId, i) => {
        const proxy = await recordingProxy(port);
        proxies[i] = proxy;
        dirs[i] = join(tmp.path, nodeId);
        const init = ['init', '--id', nodeId, '--researcher', `127.0.0.1:${proxy.port}`, '--token', TOKEN, '--auto-approve-layers', 'Dense'];
        for (const args of [init, ['dataset', 'add', '--type', 'csv', '--path', slices[i]!, '--tags', 'wdbc', '--options', JSON.stringify(WDBC_CSV_OPTIONS)]]) {
          const run = await runNodeCli(dirs[i]!, args);
          if (run.code !== 0) throw new Error(`${args[0]} failed: ${run.stderr}`);
        }
      }),
    );
    await Promise.all(nodeIds.map((_, i) => start(i)));
  });

  afterAll(async () => {
    await Promise.all([...processes.keys()].map((id) => stop(nodeIds.indexOf(id))));
    await researcher.stop();
    for (const proxy of proxies) proxy.server.close();
    tmp.dispose();
  });

  const search = async (nodeId: string): Promise<string> => {
    const { reply } = await researcher.request(nodeId, { search: { tags: ['wdbc'] } }, { timeoutMs: 20_000 });
    const [dataset] = reply.search?.datasets ?? [];
    return dataset!.id;
  };
  const flatWeights = (reply: NodeReply): Float32Array => {
    const tensors = reply.tensors.get(reply.reply.train!.weights!.transferId)!;
    const flat = new Float32Array(tensors.reduce((n, t) => n + t.data.byteLength / 4, 0));
    let offset = 0;
    for (const tensor of tensors) {
      const values = asFloat32Array(tensor);
      flat.set(values, offset);
      offset += values.length;
    }
    return flat;
  };

  it('discovers the datasets, gets the plan approved by the allow-list, trains, aggregates and evaluates', async () => {
    const datasetIds = await Promise.all(nodeIds.map(search));
    for (const nodeId of nodeIds) {
      const { reply } = await researcher.request(nodeId, { approval: { plan: built.plan, description: 'e2e' } }, { timeoutMs: 20_000 });
      expect(reply.approval?.status).toBe('PLAN_STATUS_APPROVED');
    }

    const layout = createLayout(built.initialWeights.map((w) => ({ name: w.name, shape: w.shape })));
    const initial = new Float32Array(layout.size);
    const strategy = new FedAvg();
    const instructions = strategy.configureFit(1, { layout, weights: initial }, nodeIds);
    expect(instructions.map((i) => i.nodeId)).toEqual(nodeIds);
    const replies = await Promise.all(
      nodeIds.map(async (nodeId, i) => {
        const { request, payload } = trainRequest(built, datasetIds[i]!, { experimentId: 'e2e', args: { epochs: 3 } });
        return researcher.request(nodeId, request, { tensors: [payload], timeoutMs: 120_000 });
      }),
    );
    const results: FitResult[] = replies.map((reply) => ({
      nodeId: reply.nodeId,
      sampleCount: Number(reply.reply.train!.sampleCount),
      weights: flatWeights(reply),
      metrics: reply.reply.train!.metricsAfter!.values,
    }));
    expect(results.reduce((n, r) => n + r.sampleCount, 0)).toBeGreaterThan(400);
    const aggregate = await strategy.aggregateFit(1, results, []);
    expect(aggregate!.acceptedNodes).toEqual(expect.arrayContaining(nodeIds));
    expect(aggregate!.weights.some((v) => v !== 0)).toBe(true);

    const global = packTensors(
      built.initialWeights.map((w, t) => {
        const slot = layout.tensors[t]!;
        return float32Tensor(w.name, w.shape, aggregate!.weights.slice(slot.offset, slot.offset + slot.size));
      }),
    );
    for (const [i, nodeId] of nodeIds.entries()) {
      const { reply } = await researcher.request(
        nodeId,
        {
          experimentId: 'e2e',
          evaluate: { datasetId: datasetIds[i]!, plan: built.plan, weights: global.set, metrics: ['accuracy'], testRatio: 0.2, randomSeed: 7 },
        },
        { tensors: [global], timeoutMs: 60_000 },
      );
      expect(reply.evaluate!.metrics!.values['accuracy']).toBeGreaterThan(0.8);
    }
  });

  it('sends no raw value of the dataset: only parameters and metrics leave the nodes', () => {
    const rows = wdbcLines().map((line) => line.split(','));
    for (const [i, proxy] of proxies.entries()) {
      const sent = Buffer.concat(proxy.sent);
      expect(sent.length).toBeGreaterThan(1000);
      // Distinctive feature values of this node's rows (every NODES-th row from i).
      const canaries = rows
        .filter((_, r) => r % NODES === i)
        .slice(0, 5)
        .flatMap((fields) => [fields[0]!, fields[3]!, fields[6]!, fields[23]!])
        .filter((text) => text.includes('.') && text.length >= 5);
      expect(canaries.length).toBeGreaterThan(5);
      for (const text of canaries) {
        const value = Number(text);
        const f32 = Buffer.alloc(4);
        f32.writeFloatLE(value);
        const f64 = Buffer.alloc(8);
        f64.writeDoubleLE(value);
        expect({ text, at: sent.indexOf(text, 0, 'latin1') }).toEqual({ text, at: -1 });
        expect({ text, f32: sent.indexOf(f32) }).toEqual({ text, f32: -1 });
        expect({ text, f64: sent.indexOf(f64) }).toEqual({ text, f64: -1 });
      }
    }
  });

  it('a node stopped with SIGTERM exits cleanly and, restarted, keeps its registry and experiment state', async () => {
    const datasetBefore = await search(nodeIds[0]!);
    expect(await stop(0)).toBe(0);
    await start(0);
    expect(await search(nodeIds[0]!)).toBe(datasetBefore);
    const { request, payload } = trainRequest(built, datasetBefore, { experimentId: 'e2e', round: 2 });
    const { reply } = await researcher.request(nodeIds[0]!, request, { tensors: [payload], timeoutMs: 120_000 });
    // Same experiment, ratio and seed: the stored test split is reused (stratified 20% of this slice).
    const slice = wdbcLines().filter((_, r) => r % NODES === 0);
    const malignant = slice.filter((line) => line.endsWith(',0')).length;
    const expectedTest = Math.ceil(malignant * 0.2) + Math.ceil((slice.length - malignant) * 0.2);
    expect(Number(reply.train!.metricsBefore!.sampleCount)).toBe(expectedTest);
    expect(Number(reply.train!.sampleCount)).toBe(slice.length - expectedTest);
    const node = openNode(dirs[0]!);
    try {
      const lastRound = node.repository.getState({ experimentId: 'e2e', datasetId: datasetBefore, key: 'last-round' });
      expect(JSON.parse(lastRound!.toString('utf8'))).toMatchObject({ round: 2, planSha256: built.plan.sha256 });
      expect(node.repository.listStateKeys('e2e').map((k) => k.key)).toEqual(['last-round', 'split:0.2:7', 'standardization']);
    } finally {
      node.close();
    }
    const audit = await runNodeCli(dirs[0]!, ['audit', 'list', '--json', '--action', 'train']);
    expect((JSON.parse(audit.stdout) as Array<{ outcome: string }>).map((e) => e.outcome)).toEqual(['done', 'done']);
  });

  it('SIGTERM during training: the task in flight finishes and replies, then the node exits cleanly', async () => {
    const datasetId = await search(nodeIds[1]!);
    const child = processes.get(nodeIds[1]!)!;
    const exited = once(child, 'exit');
    const off = researcher.on('scalar', ({ nodeId }) => {
      if (nodeId !== nodeIds[1]) return;
      off();
      child.kill('SIGTERM');
    });
    const { request, payload } = trainRequest(built, datasetId, { experimentId: 'e2e', round: 2, args: { epochs: 20, batchSize: 8 } });
    const { reply } = await researcher.request(nodeIds[1]!, request, { tensors: [payload], timeoutMs: 120_000 });
    expect(reply.train?.numUpdates).toBeGreaterThan(0);
    expect(reply.train?.weights?.transferId).toBeTruthy();
    const [code] = (await exited) as [number | null];
    processes.delete(nodeIds[1]!);
    expect(code).toBe(0);
  });

  it('a node the researcher refuses (wrong token) exits non-zero and says why', async () => {
    const dir = join(tmp.path, 'intruder');
    const init = await runNodeCli(dir, ['init', '--id', 'intruder', '--researcher', `127.0.0.1:${researcher.port}`, '--token', 'wrong']);
    expect(init.code).toBe(0);
    const run = await runNodeCli(dir, ['start']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/intruder could not join .*token/i);
  });
});
