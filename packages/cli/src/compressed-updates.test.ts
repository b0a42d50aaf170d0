import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HEART_DISEASE_CENTERS } from '@fedbiomed/datasets';
import { createTransportFederation, Experiment, type ExperimentEvent } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { buildPlan, type BuiltPlan, type CompressionSpec } from '@fedbiomed/training';
import { DEMO_DATA_DIR } from './demo-command';
import { HEART_DISEASE_FEATURES } from './heart-disease-plan';
import { startInProcessFederation, type InProcessFederation } from './cli-test-support.test.helper';
import { approvePlanAsOperator } from './local-nodes';

tf.env().set('IS_TEST', true);

/** A TCP proxy in front of the researcher's port counting every byte both ways: the real wire. */
class CountingProxy {
  bytes = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  async start(target: string): Promise<string> {
    const [host, port] = target.split(':') as [string, string];
    this.server = createServer((client) => {
      const upstream = connect(Number(port), host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  stop(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server?.close();
  }
}

/** A small MLP on Fed-Heart-Disease: enough parameters (~7.2k) that the tensors dominate a round's bytes. */
function heartDiseaseMlp(compression?: CompressionSpec): BuiltPlan {
  const model = tf.sequential({
    name: 'heart_disease_mlp',
    layers: [
      tf.layers.dense({ name: 'hidden', units: 512, activation: 'relu', inputShape: [HEART_DISEASE_FEATURES], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  try {
    return buildPlan(model, {
      name: 'heart-disease-mlp',
      loss: 'binary_crossentropy',
      optimizer: { name: 'sgd', learningRate: 0.05 },
      metrics: ['accuracy', 'loss'],
      ...(compression !== undefined && { compression }),
    });
  } finally {
    model.dispose();
  }
}

// Real parts: the 4 Fed-Heart-Disease hospitals as @fedbiomed/node runtimes (own folder, SQLite
// registry, plan approval) in this process, a ResearcherServer over gRPC on loopback, and a TCP proxy
// between them counting the bytes each round puts on the wire.
describe('compressed updates through a real federation of the 4 Fed-Heart-Disease hospitals', () => {
  let federation: InProcessFederation;
  const proxy = new CountingProxy();

  beforeAll(async () => {
    federation = await startInProcessFederation(
      'fedbiomed-compression-',
      (folder) =>
        HEART_DISEASE_CENTERS.map((center, index) => ({
          dir: join(folder, center),
          nodeId: `center-${index}`,
          nodeName: center,
          dataset: { dataType: 'heart-disease', path: DEMO_DATA_DIR, options: { center: index }, tags: ['fed-heart-disease'] },
        })),
      { via: (address) => proxy.start(address) },
    );
  }, 60_000);

  afterAll(async () => {
    await federation.stop();
    proxy.stop();
  });

  /** Runs `rounds` rounds; the wire bytes of each round (from its start to its last reply) and the final test metrics. */
  async function run(plan: BuiltPlan, rounds: number): Promise<{ roundBytes: number[]; loss: number; accuracy: number }> {
    for (const center of HEART_DISEASE_CENTERS) approvePlanAsOperator(join(federation.folders.path, center), plan.plan, 'test');
    const experiment = new Experiment({
      tags: ['fed-heart-disease'],
      plan,
      strategy: new FedAvg(),
      rounds,
      trainingArgs: { numUpdates: 30, batchSize: 8 },
      metrics: ['accuracy', 'loss'],
      minNodes: 4,
      server: createTransportFederation(federation.server),
      seed: 7,
    });
    const roundBytes: number[] = [];
    let startBytes = 0;
    experiment.subscribe((event: ExperimentEvent) => {
      if (event.type === 'round-started') startBytes = proxy.bytes;
      if (event.type === 'round-completed') roundBytes.push(proxy.bytes - startBytes);
    });
    try {
      await experiment.run();
      const evaluation = await experiment.evaluate();
      return { roundBytes, loss: evaluation.metrics.values['loss'] ?? NaN, accuracy: evaluation.metrics.values['accuracy'] ?? NaN };
    } finally {
      experiment.close();
    }
  }

  it('4-bit QSGD up and 8-bit down cut the bytes per round by more than 4× and the model still trains', async () => {
    const plain = await run(heartDiseaseMlp(), 3);
    const compressed = await run(
      heartDiseaseMlp({ up: { name: 'qsgd', params: { bits: 4, bucketSize: 512 } }, down: { name: 'qsgd', params: { bits: 8, stochastic: false } } }),
      3,
    );
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const ratio = median(plain.roundBytes) / median(compressed.roundBytes);
    // Tensors alone: (4 + 4) bytes a parameter against (0.5 + 1); framing, metrics and heartbeats stay.
    expect(ratio).toBeGreaterThan(4);
    expect(ratio).toBeLessThan(8 / 1.5);
    // Still trains: the compressed run's test loss is below chance (ln 2) and near the plain run's.
    expect(compressed.loss).toBeLessThan(Math.log(2));
    expect(Math.abs(compressed.loss - plain.loss)).toBeLessThan(0.05);
    expect(Math.abs(compressed.accuracy - plain.accuracy)).toBeLessThan(0.05);
  }, 180_000);

  it('top-k (5%) updates with error feedback shrink the upload and still train', async () => {
    const plain = await run(heartDiseaseMlp(), 2);
    const compressed = await run(heartDiseaseMlp({ up: { name: 'top_k', params: { fraction: 0.05 } }, down: { name: 'float16', params: {} } }), 2);
    const ratio = plain.roundBytes[1]! / compressed.roundBytes[1]!;
    // Up: 5% of the values as float32 plus a 1–2 byte index gap each (~16×); down: float16 (2×).
    expect(ratio).toBeGreaterThan(3);
    expect(compressed.loss).toBeLessThan(Math.log(2));
  }, 180_000);
});
