// A worker thread of a WorkerSimulation: builds the simulation's nodes from the nodes module, keeps
// those whose position falls to this worker, and answers the requests the main thread routes to them,
// one at a time (tfjs runs on one thread), with the node's own dispatcher.
import type { VirtualNode } from '@fedbiomed/node';
import type { Request__Output } from '@fedbiomed/proto';
import { selectBackend } from '@fedbiomed/training';
import { TransportError } from '@fedbiomed/transport';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { withDeadline } from './deadline';
import { createVirtualNodes, type SimulatedNode } from './virtual-nodes';
import { WireCodec } from './wire-codec';
import type { FromNodeWorker, NodeWorkerData, ToNodeWorker } from './worker-protocol';

type Task = Extract<ToNodeWorker, { type: 'request' }>;

const port = parentPort;
if (port === null) throw new Error('node-worker.js runs as a worker thread of a WorkerSimulation');
const data = workerData as NodeWorkerData;
const codec = new WireCodec();
const send = (message: FromNodeWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const queue: Task[] = [];
const cancellers = new Map<number, AbortController>();
let nodes = new Map<string, VirtualNode>();
let busy = false;

port.on('message', (message: ToNodeWorker) => {
  if (message.type === 'request') {
    cancellers.set(message.seq, new AbortController());
    queue.push(message);
    void pump();
  } else if (message.type === 'cancel') {
    cancellers.get(message.seq)?.abort(message.reason);
  } else {
    for (const { node } of nodes.values()) node.close();
    send({ type: 'closed' });
  }
});

void start().catch((error: unknown) => send({ type: 'startup-failed', message: error instanceof Error ? error.message : String(error) }));

async function start(): Promise<void> {
  const backend = await selectBackend();
  const url = isAbsolute(data.nodesModule) ? pathToFileURL(data.nodesModule).href : data.nodesModule;
  const exported = ((await import(url)) as Record<string, unknown>)[data.exportName];
  if (typeof exported !== 'function') throw new Error(`${data.nodesModule} exports no function "${data.exportName}"`);
  const all = (await (exported as (args: unknown) => SimulatedNode[] | Promise<SimulatedNode[]>)(data.args)) ?? [];
  const keep = (index: number) => index % data.workerCount === data.workerIndex;
  const mine = createVirtualNodes(all, { keep, ...(data.stateDir !== undefined && { stateDir: data.stateDir }) });
  nodes = new Map(mine.map((virtual) => [virtual.node.config.nodeId, virtual]));
  const indices = all.map((_, index) => index).filter(keep);
  send({ type: 'ready', nodes: mine.map(({ node }, at) => ({ id: node.config.nodeId, name: node.config.nodeName, index: indices[at] as number })), backend: backend.backend });
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) await answer(task);
  } finally {
    busy = false;
  }
}

async function answer(task: Task): Promise<void> {
  const { seq, nodeId } = task;
  const controller = cancellers.get(seq) as AbortController;
  cancellers.delete(seq);
  const virtual = nodes.get(nodeId);
  const received = codec.decode<Request__Output>('Request', task.request);
  const context = { nodeId, requestId: received.requestId };
  try {
    if (virtual === undefined) throw new TransportError('NODE_OFFLINE', `no virtual node "${nodeId}" in worker ${data.workerIndex}`, context);
    const result = await withDeadline(context, { signal: controller.signal, ...(task.timeoutMs !== undefined && { timeoutMs: task.timeoutMs }) }, (signal) =>
      virtual.dispatcher.handle(received, new Map(task.tensors), {
        requestId: received.requestId,
        signal,
        sendScalar: (scalar) => send({ type: 'scalar', nodeId, scalar: codec.encode('Scalar', { ...scalar, requestId: received.requestId }) }),
        sendLog: (level, message) => send({ type: 'log', nodeId, log: codec.encode('Log', { requestId: received.requestId, level, message, timestampMs: Date.now() }) }),
      }),
    );
    const reply = codec.encode('Reply', { ...result.reply, requestId: received.requestId, nodeId });
    send({ type: 'reply', seq, reply, tensors: [...(result.tensors ?? [])] });
  } catch (error) {
    const failure = error instanceof TransportError ? error : new TransportError('REMOTE_ERROR', (error as Error).message, context);
    send({ type: 'failed', seq, code: failure.code, message: failure.message });
  }
}
