import { createHash } from 'node:crypto';
import { Client, credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { loadProtobufRoot } from '@fedbiomed/proto';
import type { NodeClient } from './client';
import type { ResearcherServer } from './server';
import { packTensors } from './tensor';
import { hello, patternBytes, startNode, startServer } from './__fixtures__/harness';

const NodeFrame = loadProtobufRoot().lookupType('fedbiomed.v1.NodeFrame');
const ResearcherFrame = loadProtobufRoot().lookupType('fedbiomed.v1.ResearcherFrame');
const encode = (frame: object): Buffer => Buffer.from(NodeFrame.encode(NodeFrame.fromObject(frame)).finish());

/** xorshift32: the fuzz corpus is the same on every run. */
function prng(seed: number) {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T };
}

const digest = createHash('sha256').update(Buffer.alloc(64)).digest();
const header = (overrides: object = {}) => ({ name: 'w', dtype: 'DTYPE_FLOAT32', shape: [16], byteLength: 64, sha256: digest, ...overrides });
const reply = (transferId: string, headers: object[]) => ({ reply: { requestId: 'fuzz', nodeId: 'x', train: { weights: { transferId, tensors: headers } } } });
const chunk = (transferId: string, offset: number, length: number, tensorIndex = 0) => ({
  chunk: { transferId, tensorIndex, offset, data: Buffer.alloc(length) },
});

/** Frames that break the contract in a specific way; each list is sent in order after hello. */
const STRUCTURED: ReadonlyArray<readonly object[]> = [
  [chunk('nobody', 0, 8)],
  [reply('t', [header({ byteLength: 63 })])],
  [reply('t', [header({ shape: [1e6], byteLength: 4e6 })])],
  [reply('t', [header({ shape: [2 ** 40], byteLength: 2 ** 42 })])],
  [reply('t', [header({ dtype: 'DTYPE_UNSPECIFIED' })])],
  [reply('t', [header({ sha256: Buffer.alloc(3) })])],
  [reply('t', [header()]), chunk('t', 8, 8)],
  [reply('t', [header()]), chunk('t', 0, 60), chunk('t', 60, 8)],
  [reply('t', [header()]), chunk('t', 0, 8, 3)],
  [reply('t', [header()]), chunk('t', 0, 0)],
  [reply('t', [header()]), chunk('t', 0, 64), chunk('t', 64, 8)],
  [reply('t', [header()]), reply('t', [header()])],
  [hello('again')],
  [{}],
];

const VALID: readonly Buffer[] = [
  encode(reply('v', [header()])),
  encode(chunk('v', 0, 32)),
  encode({ heartbeat: { seq: 3, timestampMs: 5 } }),
  encode({ scalar: { requestId: 'r', name: 'loss', value: 1 } }),
  encode({ log: { requestId: 'r', level: 'LOG_LEVEL_INFO', message: 'm' } }),
];

function mutate(rand: ReturnType<typeof prng>, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  if (rand.next() < 0.3) return out.subarray(0, rand.int(out.length));
  for (let flips = 1 + rand.int(3); flips > 0; flips -= 1) out[rand.int(out.length)] = rand.int(256);
  return out;
}

/** One fuzz session's frames: raw bytes of each, hello first except for "before hello" cases. */
function sessionFrames(rand: ReturnType<typeof prng>, index: number): Buffer[] {
  const kind = index % 4;
  const helloFrame = encode(hello(`fuzz-${index % 16}`));
  if (kind === 0) return [helloFrame, ...STRUCTURED[rand.int(STRUCTURED.length)]!.map(encode)];
  if (kind === 1) return [helloFrame, ...Array.from({ length: 4 }, () => mutate(rand, rand.pick(VALID)))];
  if (kind === 2) return [helloFrame, ...Array.from({ length: 4 }, () => Buffer.from(patternBytes(rand.int(48), index + 1)))];
  return Array.from({ length: 5 }, () => (rand.next() < 0.5 ? mutate(rand, rand.pick(VALID)) : rand.pick(VALID)));
}

interface Ended {
  code: number;
  errorCodes: string[];
}

/** Sends raw frames on one session stream and reports how it ended. */
function runSession(client: Client, frames: Buffer[]): Promise<Ended> {
  return new Promise((resolve) => {
    const call: ClientDuplexStream<Buffer, Buffer> = client.makeBidiStreamRequest(
      '/fedbiomed.v1.Researcher/Session',
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
    );
    const errorCodes: string[] = [];
    call.on('data', (bytes: Buffer) => {
      const frame = ResearcherFrame.toObject(ResearcherFrame.decode(bytes), { enums: String }) as { error?: { code: string } };
      if (frame.error) errorCodes.push(frame.error.code);
    });
    call.on('error', () => undefined);
    call.on('status', (status) => resolve({ code: status.code, errorCodes }));
    for (const frame of frames) call.write(frame);
    call.end();
  });
}

describe('malformed input', () => {
  let server: ResearcherServer;
  let healthy: NodeClient;
  afterAll(async () => {
    healthy?.stop();
    await server?.stop();
  });

  it('rejects 10,000 random and mutated frames and keeps serving', async () => {
    server = await startServer({ maxTransferBytes: 1 << 20, helloTimeoutMs: 2_000 });
    healthy = await startNode(server.port, { nodeId: 'healthy' });
    const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const rand = prng(20261126);
    const sessions = Array.from({ length: 2_400 }, (_, i) => sessionFrames(rand, i));
    const frameCount = sessions.reduce((sum, frames) => sum + frames.length, 0);
    expect(frameCount).toBeGreaterThanOrEqual(10_000);

    // One session at a time: each must end on its own, with nothing left behind on the server.
    const ended: Ended[] = [];
    for (const frames of sessions) ended.push(await runSession(client, frames));
    client.close();

    const wireCodes = new Set(ended.flatMap((e) => e.errorCodes));
    expect(wireCodes).toEqual(new Set(['ERROR_CODE_MALFORMED', 'ERROR_CODE_TRANSFER_FAILED']));
    // Structured breaches (every 4th session) are all answered with an Error frame.
    expect(ended.filter((_, i) => i % 4 === 0).every((e) => e.errorCodes.length === 1 && e.code !== 0)).toBe(true);
    // Undecodable bytes surface as gRPC errors, not crashes.
    expect(ended.some((e) => e.code !== 0 && e.errorCodes.length === 0)).toBe(true);

    // Still serving: the healthy node completes a request with tensors; no fuzz session stayed online.
    const weights = packTensors([{ name: 'w', dtype: 'DTYPE_UINT8', shape: [4096], data: patternBytes(4096) }]);
    const done = await server.request('healthy', { train: { round: 1, globalWeights: weights.set } }, { tensors: [weights], timeoutMs: 10_000 });
    expect(done.tensors.get(done.reply.train?.weights?.transferId ?? '')?.[0]?.data.byteLength).toBe(4096);
    expect(server.nodes().filter((n) => n.state === 'online').map((n) => n.id)).toEqual(['healthy']);
  }, 120_000);
});
