import { BULK_CAPABILITY } from './bulk-body';
import { makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { loadContracts, PROTOCOL_VERSION, type HelloAck__Output } from '@fedbiomed/proto';
import { backoffDelayMs, type BackoffOptions } from './backoff';
import { chunkFrameSerializer } from './chunk-frame-serializer';
import { ClientSession, type ClientCall, type RequestHandler } from './client-session';
import { systemClock, type Clock } from './clock';
import { connectionCause, reconnectMessage } from './connection-log';
import { clientCredentials, type ClientTlsOptions } from './credentials';
import { TransportError, type TransportErrorCode } from './errors';
import { EventHub, type Unsubscribe } from './events';
import { FLOW_CONTROL_WINDOW_BYTES } from './flow-control';
import { defaultLogger, type Logger } from './logger';
import {
  DEFAULT_CHUNK_SIZE_BYTES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_TRANSFER_BYTES,
  grpcMessageOptions,
} from './options';

/** Configuration of a {@link NodeClient}. */
export interface NodeClientOptions {
  /** The researcher's `host:port`. */
  address: string;
  nodeId: string;
  nodeName?: string;
  /** Announced in hello, e.g. `train`, `backend:wasm`. */
  capabilities?: readonly string[];
  /** Enrolment token given by the researcher's operator (when the researcher requires one). */
  enrolmentToken?: string;
  /** TLS; with `certPem`/`keyPem`, mutual TLS. */
  tls?: ClientTlsOptions;
  handler: RequestHandler;
  /** Used until the researcher announces its interval in `HelloAck` (default 10 s). */
  heartbeatIntervalMs?: number;
  /** Reconnection backoff (default base 1 s, cap 30 s, full jitter). */
  backoff?: BackoffOptions;
  /** Uniform random source in [0, 1) for the jitter (tests). */
  random?: () => number;
  clock?: Clock;
  logger?: Logger;
  /** Size of the tensor chunks this side sends (default 1 MiB). */
  chunkSizeBytes?: number;
  /** Largest tensor payload a request may declare (default 16 GiB). */
  maxTransferBytes?: number;
  /** Largest gRPC message accepted (default 64 MiB). */
  maxFrameBytes?: number;
  /**
   * Whether to use the researcher's bulk tensor channel when it offers one (default `true`): large
   * tensor sets then travel on an HTTP/2 stream to the researcher's bulk port instead of the session.
   */
  bulk?: boolean;
}

/** Events of a {@link NodeClient}. */
export interface NodeClientEvents {
  connected: { researcherId: string; heartbeatIntervalMs: number };
  /** The session ended; the client reconnects after `retryInMs`. */
  disconnected: { error: TransportError; retryInMs: number };
  /** The researcher refused the node for good (bad credentials, unknown node, version mismatch). */
  refused: TransportError;
}

/**
 * Refusals that retrying cannot fix: the client stops instead of hammering the researcher, and the
 * operator must fix the token, certificate, enrolment or version.
 */
/** How long {@link NodeClient.drain} waits for in-flight replies by default. */
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

const FINAL_REFUSALS: ReadonlySet<TransportErrorCode> = new Set(['UNAUTHENTICATED', 'UNKNOWN_NODE', 'VERSION_MISMATCH']);

/**
 * The node's end: dials the researcher, says hello, serves requests through `handler`, sends
 * heartbeats, and reconnects by itself after any failure (exponential backoff with full jitter).
 *
 * @example
 * const client = new NodeClient({ address: 'localhost:50051', nodeId: 'node-1', enrolmentToken: 's3cret',
 *   handler: async (request) => ({ reply: { ping: { sentAtMs: request.ping?.sentAtMs ?? 0, nodeTimeMs: Date.now() } } }) });
 * await client.start();
 */
export class NodeClient {
  private readonly hub: EventHub<NodeClientEvents>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly Researcher = researcherClient();
  private readonly channel: ReturnType<typeof clientCredentials> & { grpcOptions: Record<string, number> };
  private running = false;
  private ready = false;
  private attempt = 0;
  private retryTimer: unknown;
  private grpcClient: Client | undefined;
  private session: ClientSession | undefined;
  private firstConnection: { resolve(): void; reject(error: TransportError): void } | undefined;

  constructor(private readonly options: NodeClientOptions) {
    if (options.nodeId === '') throw new TypeError('NodeClient: nodeId must not be empty');
    this.logger = options.logger ?? defaultLogger();
    this.clock = options.clock ?? systemClock;
    this.hub = new EventHub(this.logger);
    this.channel = {
      ...clientCredentials(options.tls),
      grpcOptions: {
        ...grpcMessageOptions(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, options.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE_BYTES, 'NodeClient'),
        // HTTP/2's 64 KiB default receive window stalls bulk tensor downloads; see docs/benchmarks/transport.md.
        'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
        // No retry buffer: grpc-js then reports a frame written only once the socket has taken it (not
        // when it is buffered for a retry the session never makes), and only then is its chunk buffer reused.
        'grpc.per_rpc_retry_buffer_size': 0,
        // Every node its own HTTP/2 connection, as a node process has: grpc-js otherwise shares one
        // connection between the clients of a process that dial the same address with the same
        // options, and their sessions would be streams of one socket (see docs/benchmarks/scale.md).
        'grpc.use_local_subchannel_pool': 1,
      },
    };
  }

  /**
   * Starts connecting. Resolves once the researcher accepted the first session; keeps retrying
   * while the researcher is unreachable; rejects with the researcher's reason on a final refusal
   * (`UNAUTHENTICATED`, `UNKNOWN_NODE`, `VERSION_MISMATCH`) or if {@link stop} is called first.
   */
  start(): Promise<void> {
    if (this.running) throw new TypeError('NodeClient#start: already started');
    this.running = true;
    this.attempt = 0;
    return new Promise<void>((resolve, reject) => {
      this.firstConnection = { resolve, reject };
      this.connect();
    });
  }

  /** Closes the session and stops reconnecting. */
  stop(): void {
    this.running = false;
    this.clock.clearTimeout(this.retryTimer);
    this.session?.close(new TransportError('CANCELLED', 'the node is stopping', { nodeId: this.options.nodeId }));
    this.grpcClient?.close();
    this.grpcClient = undefined;
    this.firstConnection?.reject(new TransportError('CANCELLED', 'the node stopped before connecting', { nodeId: this.options.nodeId }));
    this.firstConnection = undefined;
  }

  /**
   * Stops the node gracefully: takes no new request (the researcher gets `SHUTTING_DOWN` error
   * replies), lets the requests already received finish, half-closes the session behind their
   * replies and tensor chunks, and waits for the researcher to close its side, which it does only after
   * reading every frame before the half-close; then stops like {@link stop}. Resolves at once when no session
   * is open. Rejects with `TIMEOUT` after `timeoutMs` (default 30 s), or with the reason when the
   * session ended before the replies went out; the client is stopped in every case.
   *
   * @example
   * process.once('SIGTERM', () => client.drain({ timeoutMs: 10_000 }).catch((e) => logger.warn(e.message)));
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new TypeError(`NodeClient#drain: timeoutMs must be a non-negative number, got ${timeoutMs}`);
    this.running = false;
    this.clock.clearTimeout(this.retryTimer);
    const session = this.ready ? this.session : undefined;
    let timer: unknown;
    try {
      if (session) {
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = this.clock.setTimeout(
            () => reject(new TransportError('TIMEOUT', `in-flight replies not flushed within ${timeoutMs} ms; stopping anyway`, { nodeId: this.options.nodeId })),
            timeoutMs,
          );
        });
        const drained = session.drain();
        drained.catch(() => undefined); // after a timeout its outcome no longer matters
        await Promise.race([drained, timeout]);
      }
    } finally {
      this.clock.clearTimeout(timer);
      this.stop();
    }
  }

  /** Whether a session is open and accepted. */
  get connected(): boolean {
    return this.ready;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof NodeClientEvents>(event: K, listener: (payload: NodeClientEvents[K]) => void): Unsubscribe {
    return this.hub.on(event, listener);
  }

  private connect(): void {
    if (!this.running) return;
    const { options } = this;
    this.grpcClient?.close();
    const client = new this.Researcher(options.address, this.channel.credentials, { ...this.channel.options, ...this.channel.grpcOptions });
    this.grpcClient = client;
    const session = new ClientSession(client.Session() as ClientCall, {
      hello: {
        nodeId: options.nodeId,
        nodeName: options.nodeName ?? options.nodeId,
        version: PROTOCOL_VERSION,
        capabilities: [...(options.capabilities ?? []), ...(options.bulk === false ? [] : [BULK_CAPABILITY])],
        enrolmentToken: options.enrolmentToken ?? '',
      },
      handler: options.handler,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      chunkSizeBytes: options.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE_BYTES,
      maxTransferBytes: options.maxTransferBytes ?? DEFAULT_MAX_TRANSFER_BYTES,
      clock: this.clock,
      logger: this.logger,
      bulk: options.bulk === false ? undefined : { address: options.address, tls: options.tls },
      onReady: (ack) => this.onReady(ack),
      onClosed: (reason) => this.onClosed(session, reason),
    });
    this.session = session;
  }

  private onReady(ack: HelloAck__Output): void {
    this.attempt = 0;
    this.ready = true;
    const { address, nodeId, nodeName = nodeId } = this.options;
    this.logger.info(
      { event: 'connected', address, nodeId, nodeName, researcherId: ack.researcherId },
      `connected to researcher ${ack.researcherId} at ${address} as ${nodeName} (${nodeId})`,
    );
    this.firstConnection?.resolve();
    this.firstConnection = undefined;
    this.hub.emit('connected', { researcherId: ack.researcherId, heartbeatIntervalMs: ack.heartbeatIntervalMs });
  }

  private onClosed(session: ClientSession, reason: TransportError): void {
    if (this.session !== session) return;
    const wasConnected = this.ready;
    this.session = undefined;
    this.ready = false;
    if (!this.running) return;
    if (FINAL_REFUSALS.has(reason.code)) {
      this.running = false;
      this.grpcClient?.close();
      this.grpcClient = undefined;
      this.logger.error(
        { event: 'refused-by-researcher', address: this.options.address, nodeId: this.options.nodeId, code: reason.code, reason: reason.message },
        `researcher at ${this.options.address} refused this node (${reason.code}): ${reason.message}; not retrying`,
      );
      this.hub.emit('refused', reason);
      this.firstConnection?.reject(reason);
      this.firstConnection = undefined;
      return;
    }
    const retryInMs = backoffDelayMs(this.attempt, this.options.backoff, this.options.random);
    this.attempt += 1;
    const { address, nodeId } = this.options;
    this.logger.info(
      { event: 'reconnecting', address, nodeId, code: reason.code, cause: connectionCause(reason), reason: reason.message, attempt: this.attempt, retryInMs },
      reconnectMessage({ address, reason, wasConnected, attempt: this.attempt, retryInMs }),
    );
    this.hub.emit('disconnected', { error: reason, retryInMs });
    this.retryTimer = this.clock.setTimeout(() => this.connect(), retryInMs);
  }
}

/** The generated `Researcher` client, its tensor chunk frames serialized by {@link chunkFrameSerializer}. */
function researcherClient() {
  const { Researcher } = loadContracts().fedbiomed.v1;
  const Session = { ...Researcher.service.Session, requestSerialize: chunkFrameSerializer(Researcher.service.Session.requestSerialize) };
  // The same service with one serializer swapped, so the generated client type still describes it.
  return makeGenericClientConstructor({ ...Researcher.service, Session }, 'Researcher') as unknown as typeof Researcher;
}
