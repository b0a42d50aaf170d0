import { randomUUID } from 'node:crypto';
import { Server, type ServerCredentials } from '@grpc/grpc-js';
import {
  loadContracts,
  type Hello__Output,
  type Log__Output,
  type Reply__Output,
  type Request,
  type Scalar__Output,
} from '@fedbiomed/proto';
import { chunkFrameSerializer } from './chunk-frame-serializer';
import { systemClock, type Clock } from './clock';
import { serverCredentials, type ServerTlsOptions } from './credentials';
import { asTransportError, TransportError } from './errors';
import { EventHub, type Unsubscribe } from './events';
import { FLOW_CONTROL_WINDOW_BYTES } from './flow-control';
import { fastenServerCall } from './grpc-call-fast-paths';
import { defaultLogger, type Logger } from './logger';
import { addSharedAbortListener } from './shared-abort-signal';
import {
  DEFAULT_CHUNK_SIZE_BYTES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_TRANSFER_BYTES,
  grpcMessageOptions,
} from './options';
import { BulkServer, type BulkChannelOptions } from './bulk-server';
import { checkHello, hashAdmissionTokens, type NodeAdmission } from './server-auth';
import { ServerSession, type SessionCall, type SessionHost } from './server-session';
import type { TensorPayload } from './tensor';
import type { ReceivedTensors } from './tensor-receiver';
import { checkPayloads, findTensorSets } from './tensor-sets';

/** Configuration of a {@link ResearcherServer}. */
export interface ResearcherServerOptions extends NodeAdmission {
  /** Sent to nodes in `HelloAck` (default: a random UUID). */
  researcherId?: string;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Port to bind; 0 (the default) picks a free one, see {@link ResearcherServer.port}. */
  port?: number;
  /** TLS; with `clientCaPem`, mutual TLS. Without TLS client certificates, `enrolmentTokens` is required. */
  tls?: ServerTlsOptions;
  /** Heartbeat interval announced to nodes; a node silent for 3 intervals is offline (default 10 s). */
  heartbeatIntervalMs?: number;
  /** A connection that sends no hello within this delay is closed (default 10 s). */
  helloTimeoutMs?: number;
  /**
   * Most connections waiting for their hello at once (default {@link DEFAULT_MAX_PENDING_SESSIONS});
   * beyond, a new connection is closed at once with `UNAVAILABLE`, so a flood of connections that
   * never authenticate cannot exhaust the researcher. Admitted nodes do not count.
   */
  maxPendingSessions?: number;
  /** Size of the tensor chunks this side sends (default 1 MiB). */
  chunkSizeBytes?: number;
  /** Largest tensor payload a reply may declare (default 16 GiB). */
  maxTransferBytes?: number;
  /** Largest gRPC message accepted (default 64 MiB). */
  maxFrameBytes?: number;
  /**
   * Runs the bulk tensor channel (`true` for its defaults): an HTTP/2 port beside the gRPC one, with
   * the same TLS settings, through which tensor sets of at least `minBytes` travel to and from nodes
   * that support it, under one-time tokens announced on their sessions (see the package README).
   * Off by default; nodes that do not support it get chunks on their session.
   */
  bulk?: BulkChannelOptions | boolean;
  logger?: Logger;
  clock?: Clock;
}

/** What the researcher knows about a node. */
export interface NodeInfo {
  id: string;
  name: string;
  capabilities: readonly string[];
  version: { major: number; minor: number };
  state: 'online' | 'offline';
  /** Peer address of the current or last session. */
  peer: string;
  connectedAt: number;
  lastHeartbeatAt: number;
  disconnectedAt?: number;
  /** Why the last session ended (offline nodes). */
  offlineReason?: string;
}

/** A node's reply with the tensors its tensor sets announced, by `transferId`. */
export interface NodeReply {
  nodeId: string;
  reply: Reply__Output;
  tensors: ReceivedTensors;
}

/** One node's outcome in {@link ResearcherServer.requestMany}. */
export type NodeOutcome = { nodeId: string; ok: true; value: NodeReply } | { nodeId: string; ok: false; error: TransportError };

/** Options of one request. */
export interface RequestOptions {
  /** Payloads of the tensor sets the request announces (see `packTensors`). */
  tensors?: readonly TensorPayload[];
  /** Fails with `TIMEOUT` (and cancels on the node) when no complete reply came in time. */
  timeoutMs?: number;
  /** Aborting fails with `CANCELLED` and sends `Cancel` to the node. */
  signal?: AbortSignal;
}

/** Events of a {@link ResearcherServer}. */
export interface ResearcherServerEvents {
  nodeOnline: NodeInfo;
  nodeOffline: NodeInfo;
  scalar: { nodeId: string; scalar: Scalar__Output };
  log: { nodeId: string; log: Log__Output };
  /** A node was refused at hello. */
  refused: { nodeId: string; peer: string; error: TransportError };
  /** A protocol problem that did not belong to any request (unknown request id, malformed frames). */
  error: TransportError;
}

/** Default of {@link ResearcherServerOptions.maxPendingSessions}. */
export const DEFAULT_MAX_PENDING_SESSIONS = 64;

interface Pending {
  session: ServerSession;
  settle(outcome: { ok: true; value: NodeReply } | { ok: false; error: TransportError }): void;
}

/**
 * The researcher's end: serves the `Researcher.Session` stream on one port, keeps a registry of
 * nodes, and sends them requests whose replies (with tensors) come back as promises.
 *
 * @example
 * const server = new ResearcherServer({ enrolmentTokens: ['s3cret'] });
 * await server.start();
 * const { reply } = await server.request('node-1', { ping: { sentAtMs: Date.now() } }, { timeoutMs: 5000 });
 */
export class ResearcherServer {
  private readonly grpc: Server;
  private readonly credentials: ServerCredentials;
  private readonly hub: EventHub<ResearcherServerEvents>;
  private readonly logger: Logger;
  private readonly registry = new Map<string, { info: NodeInfo; session: ServerSession | undefined }>();
  private readonly pending = new Map<string, Pending>();
  private readonly sessions = new Set<ServerSession>();
  private readonly host: SessionHost;
  /** The admission rules, with enrolment tokens kept as hashes only. */
  private readonly admission: NodeAdmission;
  private boundPort: number | undefined;
  private bulkServer: BulkServer | undefined;

  constructor(private readonly options: ResearcherServerOptions = {}) {
    if (options.enrolmentTokens === undefined && options.tls?.clientCaPem === undefined) {
      throw new TypeError('ResearcherServer: configure enrolmentTokens or mutual TLS (tls.clientCaPem); nodes would not be authenticated');
    }
    this.admission = hashAdmissionTokens({
      ...(options.enrolmentTokens !== undefined && { enrolmentTokens: options.enrolmentTokens }),
      ...(options.allowedNodeIds !== undefined && { allowedNodeIds: options.allowedNodeIds }),
    });
    this.logger = options.logger ?? defaultLogger();
    this.hub = new EventHub(this.logger);
    const chunkSizeBytes = options.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE_BYTES;
    this.grpc = new Server({
      ...grpcMessageOptions(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, chunkSizeBytes, 'ResearcherServer'),
      // Read by grpc-js releases that support it on the server; until then see raiseServerReceiveWindow.
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
    });
    this.credentials = serverCredentials(options.tls);
    this.host = this.sessionHost(chunkSizeBytes);
    const { service } = loadContracts().fedbiomed.v1.Researcher;
    const Session = { ...service.Session, responseSerialize: chunkFrameSerializer(service.Session.responseSerialize) };
    this.grpc.addService({ ...service, Session }, { Session: (call: SessionCall) => this.openSession(call) });
  }

  /** Serves one new connection, or closes it at once when too many are still waiting for their hello. */
  private openSession(call: SessionCall): void {
    const limit = this.options.maxPendingSessions ?? DEFAULT_MAX_PENDING_SESSIONS;
    let waiting = 0;
    for (const session of this.sessions) if (!session.active) waiting += 1;
    const fast = fastenServerCall(call);
    if (!fast.pooledDecoder || !fast.inPlaceFraming) this.logger.debug(fast, 'grpc-js internals not found: bulk transfers on this session will be slower');
    const session = new ServerSession(call, this.host);
    this.sessions.add(session);
    if (waiting >= limit) {
      this.logger.warn({ peer: session.peer, waiting }, 'connection refused: too many connections waiting for hello');
      session.close(new TransportError('UNAVAILABLE', `the researcher already has ${waiting} connections waiting for hello (maxPendingSessions ${limit}); try again later`));
    }
  }

  /** Binds the port and starts serving; resolves with the bound port. */
  async start(): Promise<number> {
    const address = `${this.options.host ?? '127.0.0.1'}:${this.options.port ?? 0}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.grpc.bindAsync(address, this.credentials, (error, port) =>
        error ? reject(new TransportError('UNAVAILABLE', `cannot bind ${address}: ${error.message}`, { cause: error })) : resolve(port),
      );
    });
    this.logger.info({ port: this.boundPort }, 'researcher server listening');
    const { bulk } = this.options;
    if (bulk) {
      const server = new BulkServer({ ...(bulk === true ? {} : bulk), host: this.options.host ?? '127.0.0.1', tls: this.options.tls, clock: this.host.clock, logger: this.logger });
      const bulkPort = await server.start();
      this.bulkServer = server;
      this.logger.info({ port: bulkPort }, 'researcher bulk channel listening');
    }
    if (this.options.tls === undefined && !isLoopbackHost(this.options.host ?? '127.0.0.1')) {
      this.logger.warn(
        { host: this.options.host, port: this.boundPort },
        `PLAINTEXT gRPC on ${this.options.host}, which other hosts can reach: anyone on the network path can read model parameters, metrics and enrolment tokens; configure tls`,
      );
    }
    return this.boundPort;
  }

  /** The bound port (after {@link start}). */
  get port(): number {
    if (this.boundPort === undefined) throw new TypeError('ResearcherServer#port: the server is not started');
    return this.boundPort;
  }

  /** Closes every session (nodes get `SHUTTING_DOWN`), fails pending requests and releases the port. */
  async stop(): Promise<void> {
    const reason = new TransportError('SHUTTING_DOWN', 'the researcher is shutting down');
    for (const session of [...this.sessions]) session.close(reason);
    await this.bulkServer?.stop();
    this.bulkServer = undefined;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.grpc.forceShutdown();
        resolve();
      }, 1_000);
      this.grpc.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  /** Every node seen since start, online or offline. */
  nodes(): NodeInfo[] {
    return [...this.registry.values()].map(({ info }) => ({ ...info }));
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof ResearcherServerEvents>(event: K, listener: (payload: ResearcherServerEvents[K]) => void): Unsubscribe {
    return this.hub.on(event, listener);
  }

  /**
   * Sends `request` to one node and resolves with its reply once every tensor it announced arrived
   * and passed its checks. Rejects with a {@link TransportError}: `NODE_OFFLINE`, `UNAVAILABLE`
   * (connection lost), `TIMEOUT`, `CANCELLED`, `TRANSFER_FAILED`, `REMOTE_ERROR` (an error reply).
   */
  async request(nodeId: string, request: Request, options: RequestOptions = {}): Promise<NodeReply> {
    const payloads = options.tensors ?? [];
    checkPayloads('ResearcherServer#request', request, payloads);
    const requestId = request.requestId || randomUUID();
    const context = { nodeId, requestId };
    const session = this.registry.get(nodeId)?.session;
    if (!session) {
      const known = this.registry.has(nodeId) ? 'is offline' : 'has never connected';
      this.logger.warn(context, `request to node "${nodeId}", which ${known}`);
      throw new TransportError('NODE_OFFLINE', `node "${nodeId}" is not connected (it ${known})`, context);
    }
    if (options.signal?.aborted) throw new TransportError('CANCELLED', `request to node "${nodeId}" cancelled before sending`, context);
    const key = pendingKey(nodeId, requestId);
    if (this.pending.has(key)) throw new TypeError(`ResearcherServer#request: request id "${requestId}" is already pending on node "${nodeId}"`);

    return new Promise<NodeReply>((resolve, reject) => {
      const sending = new AbortController();
      const clock = this.host.clock;
      let timer: unknown;
      const onAbort = () => cancel(new TransportError('CANCELLED', `request cancelled: ${String(options.signal?.reason ?? 'aborted')}`, context));
      const pending: Pending = {
        session,
        settle: (outcome) => {
          if (this.pending.get(key) !== pending) return;
          this.pending.delete(key);
          if (timer !== undefined) clock.clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          sending.abort();
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
      const cancel = (error: TransportError) => {
        if (this.pending.get(key) !== pending) return;
        session.cancel(requestId, error.message);
        pending.settle({ ok: false, error });
      };
      this.pending.set(key, pending);
      if (options.timeoutMs !== undefined) {
        timer = clock.setTimeout(
          () => cancel(new TransportError('TIMEOUT', `node "${nodeId}" did not reply within ${options.timeoutMs} ms`, context)),
          options.timeoutMs,
        );
      }
      if (options.signal !== undefined) addSharedAbortListener(options.signal, onAbort);
      session.sendRequest({ ...request, requestId }, payloads, sending.signal).catch((error: unknown) => {
        pending.settle({ ok: false, error: asTransportError(error, context) });
      });
    });
  }

  /**
   * Sends `request` (same id, same tensors, never copied) to several nodes and yields each node's
   * outcome as it arrives. Failures are yielded, not thrown.
   */
  async *requestMany(nodeIds: readonly string[], request: Request, options: RequestOptions = {}): AsyncGenerator<NodeOutcome> {
    const requestId = request.requestId || randomUUID();
    const arrived: NodeOutcome[] = [];
    let wake: (() => void) | undefined;
    const push = (outcome: NodeOutcome) => {
      arrived.push(outcome);
      wake?.();
    };
    for (const nodeId of nodeIds) {
      this.request(nodeId, { ...request, requestId }, options).then(
        (value) => push({ nodeId, ok: true, value }),
        (error: unknown) =>
          push({ nodeId, ok: false, error: asTransportError(error, { nodeId, requestId }) }),
      );
    }
    for (let yielded = 0; yielded < nodeIds.length; yielded += 1) {
      while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      yield arrived.shift() as NodeOutcome;
    }
  }

  private sessionHost(chunkSizeBytes: number): SessionHost {
    const options = this.options;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host reads the bulk server started later
    const server = this;
    return {
      researcherId: options.researcherId ?? randomUUID(),
      clock: options.clock ?? systemClock,
      logger: this.logger,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
      chunkSizeBytes,
      maxTransferBytes: options.maxTransferBytes ?? DEFAULT_MAX_TRANSFER_BYTES,
      get bulk() {
        return server.bulkServer;
      },
      admit: (session, hello) => this.admit(session, hello),
      closed: (session, reason) => this.onClosed(session, reason),
      reply: (session, reply) => this.onReply(session, reply),
      scalar: (session, scalar) => this.hub.emit('scalar', { nodeId: session.nodeId ?? '', scalar }),
      log: (session, log) => this.hub.emit('log', { nodeId: session.nodeId ?? '', log }),
      heartbeat: (session) => {
        const entry = this.registry.get(session.nodeId ?? '');
        if (entry?.session === session) entry.info.lastHeartbeatAt = this.host.clock.now();
      },
    };
  }

  private admit(session: ServerSession, hello: Hello__Output): TransportError | undefined {
    const refusal = checkHello(hello, this.admission, {
      mutualTls: this.options.tls?.clientCaPem !== undefined,
      certificate: session.peerCertificate(),
    });
    if (refusal) {
      this.hub.emit('refused', { nodeId: hello.nodeId, peer: session.peer, error: refusal });
      return refusal;
    }
    const previous = this.registry.get(hello.nodeId)?.session;
    previous?.close(new TransportError('UNAVAILABLE', `node "${hello.nodeId}" opened a new session`, { nodeId: hello.nodeId }));
    const now = this.host.clock.now();
    const info: NodeInfo = {
      id: hello.nodeId,
      name: hello.nodeName,
      capabilities: [...hello.capabilities],
      version: { major: hello.version?.major ?? 0, minor: hello.version?.minor ?? 0 },
      state: 'online',
      peer: session.peer,
      connectedAt: now,
      lastHeartbeatAt: now,
    };
    this.registry.set(hello.nodeId, { info, session });
    this.logger.info({ nodeId: info.id, name: info.name, peer: info.peer }, 'node online');
    this.hub.emit('nodeOnline', { ...info });
    return undefined;
  }

  private onClosed(session: ServerSession, reason: TransportError): void {
    this.sessions.delete(session);
    const nodeId = session.nodeId ?? '';
    for (const pending of [...this.pending.values()]) {
      if (pending.session !== session) continue;
      pending.settle({
        ok: false,
        error: new TransportError(
          reason.code === 'TRANSFER_FAILED' || reason.code === 'MALFORMED' ? reason.code : 'UNAVAILABLE',
          `node "${nodeId}" session ended before its reply: ${reason.message}`,
          { nodeId, requestId: reason.requestId, cause: reason },
        ),
      });
    }
    const entry = this.registry.get(nodeId);
    if (entry === undefined || entry.session !== session) return;
    entry.session = undefined;
    Object.assign(entry.info, { state: 'offline', disconnectedAt: this.host.clock.now(), offlineReason: reason.message });
    this.logger.info({ nodeId, reason: reason.message }, 'node offline');
    this.hub.emit('nodeOffline', { ...entry.info });
  }

  private onReply(session: ServerSession, reply: Reply__Output): void {
    const nodeId = session.nodeId ?? '';
    const pending = this.pending.get(pendingKey(nodeId, reply.requestId));
    const sets = findTensorSets(reply);
    if (!pending || pending.session !== session) {
      const error = new TransportError('UNKNOWN_REQUEST', `node "${nodeId}" replied to unknown request "${reply.requestId}"`, {
        nodeId,
        requestId: reply.requestId,
      });
      this.logger.warn({ nodeId, requestId: reply.requestId }, error.message);
      this.hub.emit('error', error);
      session.receiveTensors(reply.requestId, sets, true, () => undefined);
      return;
    }
    if (reply.body === 'error' && reply.error) {
      const { code, message } = reply.error;
      pending.settle({
        ok: false,
        error: new TransportError('REMOTE_ERROR', `node "${nodeId}" failed request "${reply.requestId}": ${code}: ${message}`, {
          nodeId,
          requestId: reply.requestId,
          remoteCode: code,
        }),
      });
      return;
    }
    session.receiveTensors(reply.requestId, sets, false, (outcome) =>
      pending.settle(outcome.ok ? { ok: true, value: { nodeId, reply, tensors: outcome.tensors } } : outcome),
    );
  }
}

/** Whether `host` names the loopback interface only (localhost, ::1, 127.0.0.0/8). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function pendingKey(nodeId: string, requestId: string): string {
  return `${nodeId}\u0000${requestId}`;
}

