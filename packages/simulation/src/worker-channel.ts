import type { Log__Output, Reply__Output, Request, Scalar__Output } from '@fedbiomed/proto';
import type { RequestChannel } from '@fedbiomed/researcher';
import { addSharedAbortListener, TransportError, type NodeInfo, type NodeReply, type RequestOptions, type ResearcherServerEvents, type Tensor, type Unsubscribe } from '@fedbiomed/transport';
import type { Worker } from 'node:worker_threads';
import { ChannelEvents } from './channel-events';
import { WireCodec } from './wire-codec';
import type { FromNodeWorker, ToNodeWorker, WorkerNode } from './worker-protocol';

interface Pending {
  readonly nodeId: string;
  readonly requestId: string;
  readonly worker: Worker;
  resolve(message: Extract<FromNodeWorker, { type: 'reply' }>): void;
  reject(error: TransportError): void;
}

/**
 * The researcher's side of a simulation whose virtual nodes live in worker threads: a
 * {@link RequestChannel} that routes each request, as protobuf bytes, to the worker holding its node
 * and hands the replies back **in the order the requests were made**, whatever order the workers
 * finish in. Strategies fold replies as they arrive, so this order makes every aggregate, to the last
 * bit, that of the same simulation in one thread.
 */
export class WorkerChannel implements RequestChannel {
  readonly #codec = new WireCodec();
  readonly #workerOf = new Map<string, Worker>();
  readonly #infos: NodeInfo[];
  readonly #pending = new Map<number, Pending>();
  readonly #events = new ChannelEvents();
  /** Workers that died, and why: their nodes answer nothing more. */
  readonly #dead = new Map<Worker, string>();
  #seq = 0;
  #nextRequest = 0;
  /** Settles once every request made so far has been handed back. */
  #released: Promise<void> = Promise.resolve();

  /** `workers`: each worker and the nodes it holds; nodes are listed by their `index`, as `Simulation` lists them. */
  constructor(workers: readonly { readonly worker: Worker; readonly nodes: readonly WorkerNode[] }[]) {
    const held = workers.flatMap(({ worker, nodes }) => nodes.map((node) => ({ worker, node }))).sort((a, b) => a.node.index - b.node.index);
    this.#infos = [];
    for (const { worker, node } of held) {
      const { id, name } = node;
      if (this.#workerOf.has(id)) throw new TypeError(`WorkerChannel: two virtual nodes have the id "${id}"`);
      this.#workerOf.set(id, worker);
      this.#infos.push({ id, name, capabilities: ['train', 'evaluate'], version: { major: 0, minor: 0 }, state: 'online', peer: 'worker-thread', connectedAt: 0, lastHeartbeatAt: 0 });
    }
    for (const { worker } of workers) {
      worker.on('message', (message: FromNodeWorker) => this.#receive(message));
      worker.on('error', (error) => this.#failWorker(worker, `its worker thread failed: ${error.message}`));
      worker.on('exit', (code) => this.#failWorker(worker, `its worker thread exited (code ${code})`));
    }
  }

  nodes(): NodeInfo[] {
    return this.#infos.map((info) => ({ ...info }));
  }

  on<K extends keyof ResearcherServerEvents>(event: K, listener: (payload: ResearcherServerEvents[K]) => void): Unsubscribe {
    return this.#events.on(event, listener);
  }

  async request(nodeId: string, request: Request, options: RequestOptions = {}): Promise<NodeReply> {
    const requestId = request.requestId || `simulation-${++this.#nextRequest}`;
    const context = { nodeId, requestId };
    const worker = this.#workerOf.get(nodeId);
    if (worker === undefined) throw new TransportError('NODE_OFFLINE', `no virtual node "${nodeId}" in this simulation`, context);
    const gone = this.#dead.get(worker);
    if (gone !== undefined) throw new TransportError('NODE_OFFLINE', `virtual node "${nodeId}" is gone: ${gone}`, context);
    if (options.signal?.aborted) throw new TransportError('CANCELLED', `request to node "${nodeId}" cancelled before it started`, context);
    const seq = ++this.#seq;
    const before = this.#released;
    let release!: () => void;
    this.#released = new Promise<void>((resolve) => (release = resolve));
    const answered = new Promise<Extract<FromNodeWorker, { type: 'reply' }>>((resolve, reject) => this.#pending.set(seq, { nodeId, requestId, worker, resolve, reject }));
    const onAbort = () => worker.postMessage({ type: 'cancel', seq, reason: `request cancelled: ${String(options.signal?.reason ?? 'aborted')}` } satisfies ToNodeWorker);
    if (options.signal !== undefined) addSharedAbortListener(options.signal, onAbort);
    // The worker's copy of the tensors is made by postMessage (structured clone), as a real node gets its own bytes.
    const tensors: [string, Tensor[]][] = (options.tensors ?? []).map((payload) => [payload.set.transferId, [...payload.tensors]]);
    worker.postMessage({
      type: 'request',
      seq,
      nodeId,
      request: this.#codec.encode('Request', { ...request, requestId }),
      tensors,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    } satisfies ToNodeWorker);
    try {
      const outcome = await answered.then(
        (message) => ({ ok: true as const, message }),
        (error: TransportError) => ({ ok: false as const, error }),
      );
      await before;
      if (!outcome.ok) throw outcome.error;
      const reply = this.#codec.decode<Reply__Output>('Reply', outcome.message.reply);
      if (reply.error) {
        throw new TransportError('REMOTE_ERROR', `node "${nodeId}" answered with an error: ${reply.error.message}`, { ...context, remoteCode: reply.error.code });
      }
      return { nodeId, reply, tensors: new Map(outcome.message.tensors.map((payload) => [payload.set.transferId, [...payload.tensors]])) };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      release();
    }
  }

  #receive(message: FromNodeWorker): void {
    if (message.type === 'reply' || message.type === 'failed') {
      const pending = this.#pending.get(message.seq);
      if (pending === undefined) return;
      this.#pending.delete(message.seq);
      if (message.type === 'reply') pending.resolve(message);
      else pending.reject(new TransportError(message.code, message.message, { nodeId: pending.nodeId, requestId: pending.requestId }));
    } else if (message.type === 'scalar') {
      this.#events.emit('scalar', { nodeId: message.nodeId, scalar: this.#codec.decode<Scalar__Output>('Scalar', message.scalar) });
    } else if (message.type === 'log') {
      this.#events.emit('log', { nodeId: message.nodeId, log: this.#codec.decode<Log__Output>('Log', message.log) });
    }
  }

  /** A worker that died takes its nodes offline: their requests in flight fail, naming why. */
  #failWorker(worker: Worker, why: string): void {
    if (!this.#dead.has(worker)) this.#dead.set(worker, why);
    for (const info of this.#infos) if (this.#workerOf.get(info.id) === worker) info.state = 'offline';
    for (const [seq, pending] of this.#pending) {
      if (pending.worker !== worker) continue;
      this.#pending.delete(seq);
      pending.reject(new TransportError('NODE_OFFLINE', `virtual node "${pending.nodeId}" is gone: ${why}`, { nodeId: pending.nodeId, requestId: pending.requestId }));
    }
  }
}
