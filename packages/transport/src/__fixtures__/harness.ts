// Test helpers: real servers on 127.0.0.1:0, nodes, a recording logger. Not part of the package API.
import { randomUUID } from 'node:crypto';
import {
  ChannelCredentials,
  Server,
  ServerCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
  type ServerDuplexStream,
} from '@grpc/grpc-js';
import {
  loadContracts,
  PROTOCOL_VERSION,
  type Hello,
  type NodeFrame,
  type NodeFrame__Output,
  type ResearcherFrame,
  type Request__Output,
  type ResearcherFrame__Output,
} from '@fedbiomed/proto';
import { NodeClient, type NodeClientOptions } from '../client';
import type { HandlerResult, RequestContext } from '../client-session';
import type { Logger } from '../logger';
import { ResearcherServer, type ResearcherServerOptions } from '../server';
import { packTensors, type Tensor } from '../tensor';
import type { ReceivedTensors } from '../tensor-receiver';

export const TOKEN = 'test-enrolment-token';

export interface LogRecord {
  level: keyof Logger;
  fields: Record<string, unknown>;
  message: string | undefined;
}

/** A logger that keeps what it is given, for assertions. */
export function recordingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: keyof Logger) => (fields: object, message?: string) => {
    records.push({ level, fields: fields as Record<string, unknown>, message });
  };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Starts a server with an enrolment token on a free loopback port. */
export async function startServer(options: ResearcherServerOptions = {}): Promise<ResearcherServer> {
  const server = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: recordingLogger(), ...options });
  await server.start();
  return server;
}

/**
 * Handler answering pings, and train requests by sending back the global weights it received, each
 * value plus one (so the reply is a new tensor set, checked end to end).
 */
export async function echoHandler(request: Request__Output, tensors: ReceivedTensors, context: RequestContext): Promise<HandlerResult> {
  if (request.body === 'ping') return { reply: { ping: { sentAtMs: request.ping?.sentAtMs ?? 0, nodeTimeMs: Date.now() } } };
  if (request.body === 'train') {
    context.sendScalar({ name: 'loss', value: 0.5, step: 1, phase: 'train', round: request.train?.round ?? 0 });
    context.sendLog('LOG_LEVEL_INFO', 'training');
    const received = tensors.get(request.train?.globalWeights?.transferId ?? '') ?? [];
    const updated: Tensor[] = received.map((t) => ({ ...t, data: t.data.map((b) => (b + 1) & 0xff) }));
    const weights = packTensors(updated);
    return { reply: { train: { round: request.train?.round ?? 0, sampleCount: 10, weights: weights.set } }, tensors: [weights] };
  }
  throw new Error(`echoHandler: unsupported request ${request.body}`);
}

/** Creates and starts a node connected to `port` with the test token. */
export async function startNode(port: number, options: Partial<NodeClientOptions> = {}): Promise<NodeClient> {
  const client = createNode(port, options);
  await client.start();
  return client;
}

export function createNode(port: number, options: Partial<NodeClientOptions> = {}): NodeClient {
  return new NodeClient({
    address: `127.0.0.1:${port}`,
    nodeId: `node-${randomUUID().slice(0, 8)}`,
    enrolmentToken: TOKEN,
    handler: echoHandler,
    logger: recordingLogger(),
    backoff: { baseMs: 20, capMs: 200 },
    ...options,
  });
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`until: ${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Deterministic pseudo-random bytes. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A session stream opened without NodeClient, to play a misbehaving or hand-driven node. */
export interface RawSession {
  call: ClientDuplexStream<NodeFrame, ResearcherFrame__Output>;
  frames: ResearcherFrame__Output[];
  /** Resolves with the final status once the stream closes. */
  closed: Promise<{ code: number; details: string }>;
  close(): void;
}

export function openRawSession(port: number, credentials: ChannelCredentials = ChannelCredentials.createInsecure(), options: ChannelOptions = {}): RawSession {
  const Researcher = loadContracts().fedbiomed.v1.Researcher;
  const client = new Researcher(`127.0.0.1:${port}`, credentials, options);
  const call = client.Session();
  const frames: ResearcherFrame__Output[] = [];
  call.on('data', (frame: ResearcherFrame__Output) => frames.push(frame));
  const closed = new Promise<{ code: number; details: string }>((resolve) => {
    call.on('status', (status) => resolve({ code: status.code, details: status.details }));
    call.on('error', () => undefined);
  });
  closed.then(() => client.close());
  return { call, frames, closed, close: () => { call.cancel(); client.close(); } };
}

/** A valid hello for `nodeId` with the test token. */
export function hello(nodeId: string, overrides: Partial<Hello> = {}): NodeFrame {
  return { hello: { nodeId, nodeName: nodeId, version: PROTOCOL_VERSION, enrolmentToken: TOKEN, ...overrides } };
}

/** A hand-driven researcher: `onSession` gets every session stream a node opens. */
export async function startFakeResearcher(
  onSession: (call: ServerDuplexStream<NodeFrame__Output, ResearcherFrame>) => void,
): Promise<{ port: number; stop(): void }> {
  const server = new Server();
  server.addService(loadContracts().fedbiomed.v1.Researcher.service, { Session: onSession });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { port, stop: () => server.forceShutdown() };
}
