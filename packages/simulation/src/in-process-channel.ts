import type { Log__Output, Reply__Output, Request, Request__Output, Scalar__Output } from '@fedbiomed/proto';
import type { VirtualNode } from '@fedbiomed/node';
import type { RequestChannel } from '@fedbiomed/researcher';
import {
  TransportError,
  type NodeInfo,
  type NodeReply,
  type RequestOptions,
  type ResearcherServerEvents,
  type Tensor,
  type Unsubscribe,
} from '@fedbiomed/transport';
import { withDeadline } from './deadline';
import { ChannelEvents } from './channel-events';
import { WireCodec } from './wire-codec';

/** Options of {@link InProcessChannel}. */
export interface InProcessChannelOptions {
  /**
   * Nodes training at once (default 1). tfjs runs on this one thread, so more brings no speed,
   * only memory; 1 also makes the order of replies, hence the aggregate, the same on every run.
   */
  readonly concurrency?: number;
}

/**
 * The researcher's side of a simulation: a {@link RequestChannel} (the part of `ResearcherServer`
 * an experiment's federation uses) whose nodes are {@link VirtualNode}s in this process. Each
 * request and reply goes through the protobuf codec like on the wire; tensors are copied, not
 * chunked. Requests beyond `concurrency` wait their turn; a request's timeout runs from when its
 * node starts on it, as real nodes would all start at once.
 */
export class InProcessChannel implements RequestChannel {
  readonly #nodes = new Map<string, VirtualNode>();
  readonly #codec = new WireCodec();
  readonly #events = new ChannelEvents();
  readonly #concurrency: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #nextRequest = 0;

  constructor(nodes: readonly VirtualNode[], options: InProcessChannelOptions = {}) {
    for (const virtual of nodes) {
      const id = virtual.node.config.nodeId;
      if (this.#nodes.has(id)) throw new TypeError(`InProcessChannel: two virtual nodes have the id "${id}"`);
      this.#nodes.set(id, virtual);
    }
    this.#concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new TypeError(`InProcessChannel: concurrency must be a positive integer, got ${options.concurrency}`);
    }
  }

  nodes(): NodeInfo[] {
    return [...this.#nodes.values()].map(({ node }) => ({
      id: node.config.nodeId,
      name: node.config.nodeName,
      capabilities: ['train', 'evaluate'],
      version: { major: 0, minor: 0 },
      state: 'online',
      peer: 'in-process',
      connectedAt: 0,
      lastHeartbeatAt: 0,
    }));
  }

  on<K extends keyof ResearcherServerEvents>(event: K, listener: (payload: ResearcherServerEvents[K]) => void): Unsubscribe {
    return this.#events.on(event, listener);
  }

  async request(nodeId: string, request: Request, options: RequestOptions = {}): Promise<NodeReply> {
    const virtual = this.#nodes.get(nodeId);
    // Ids count up, so two runs of one simulation send the same requests.
    const requestId = request.requestId || `simulation-${++this.#nextRequest}`;
    const context = { nodeId, requestId };
    if (virtual === undefined) throw new TransportError('NODE_OFFLINE', `no virtual node "${nodeId}" in this simulation`, context);
    const received = this.#codec.roundTrip<Request__Output>('Request', { ...request, requestId });
    // A real node gets its own copy of the bytes; a virtual one must not share the researcher's arrays.
    const tensors = new Map((options.tensors ?? []).map((payload) => [payload.set.transferId, payload.tensors.map(copyTensor)]));
    const result = await this.#inTurn(() =>
      withDeadline(context, options, (signal) =>
        virtual.dispatcher.handle(received, tensors, {
          requestId,
          signal,
          sendScalar: (scalar) => this.#events.emit('scalar', { nodeId, scalar: this.#codec.roundTrip<Scalar__Output>('Scalar', { ...scalar, requestId }) }),
          sendLog: (level, message) => this.#events.emit('log', { nodeId, log: this.#codec.roundTrip<Log__Output>('Log', { requestId, level, message, timestampMs: Date.now() }) }),
        }),
      ),
    );
    const reply = this.#codec.roundTrip<Reply__Output>('Reply', { ...result.reply, requestId, nodeId });
    if (reply.error) {
      throw new TransportError('REMOTE_ERROR', `node "${nodeId}" answered with an error: ${reply.error.message}`, { ...context, remoteCode: reply.error.code });
    }
    return { nodeId, reply, tensors: new Map((result.tensors ?? []).map((payload) => [payload.set.transferId, [...payload.tensors]])) };
  }

  async #inTurn<T>(run: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      return await run();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }

}

function copyTensor(tensor: Tensor): Tensor {
  return { ...tensor, data: tensor.data.slice() };
}
