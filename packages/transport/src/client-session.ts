import type { ClientDuplexStream } from '@grpc/grpc-js';
import {
  checkProtocolVersion,
  PROTOCOL_VERSION,
  type Hello,
  type BulkChannelOffer__Output,
  type BulkTransfer__Output,
  type HelloAck__Output,
  type LogLevel,
  type NodeFrame,
  type Reply,
  type Request__Output,
  type ResearcherFrame__Output,
  type Scalar,
} from '@fedbiomed/proto';
import type { Clock } from './clock';
import { asTransportError, fromGrpcError, fromWireCode, toWireCode, TransportError } from './errors';
import { raiseClientFrameSize } from './flow-control';
import { fastenClientCall } from './grpc-call-fast-paths';
import { BulkClient } from './bulk-client';
import type { ClientTlsOptions } from './credentials';
import { FrameWriter, sendTensorSets, type BulkSender } from './frame-writer';
import { HeartbeatMonitor } from './heartbeat';
import type { Logger } from './logger';
import type { TensorPayload } from './tensor';
import { TensorReceiver, type ReceivedTensors } from './tensor-receiver';
import { checkPayloads, findTensorSets } from './tensor-sets';

/** What a request handler gets besides the request and its tensors. */
export interface RequestContext {
  requestId: string;
  /** Aborted when the researcher cancels the request or the session ends. */
  signal: AbortSignal;
  /** Streams a scalar (loss, metric) to the researcher; `requestId` is filled in. */
  sendScalar(scalar: Omit<Scalar, 'requestId'>): void;
  /** Streams a log line to the researcher. */
  sendLog(level: LogLevel, message: string): void;
}

/** What a handler returns: the reply body and the payloads of the tensor sets it announces. */
export interface HandlerResult {
  reply: Omit<Reply, 'requestId' | 'nodeId'>;
  tensors?: readonly TensorPayload[];
}

/**
 * Handles one request on the node. A thrown {@link TransportError} or other error becomes an error
 * reply (`remoteCode` / `ERROR_CODE_INTERNAL`).
 */
export type RequestHandler = (request: Request__Output, tensors: ReceivedTensors, context: RequestContext) => Promise<HandlerResult>;

/** Settings a client session runs with. */
export interface ClientSessionSettings {
  hello: Hello & { nodeId: string };
  handler: RequestHandler;
  heartbeatIntervalMs: number;
  chunkSizeBytes: number;
  maxTransferBytes: number;
  clock: Clock;
  logger: Logger;
  /** Where the researcher's bulk channel is, when it offers one: its gRPC address and TLS settings. */
  bulk: { address: string; tls: ClientTlsOptions | undefined } | undefined;
  onReady(ack: HelloAck__Output): void;
  /** Called once when the session ends. */
  onClosed(reason: TransportError): void;
}

export type ClientCall = ClientDuplexStream<NodeFrame, ResearcherFrame__Output>;

/** One session of a node: hello, then requests served by the handler until the stream ends. */
export class ClientSession {
  private state: 'hello' | 'active' | 'draining' | 'closed' = 'hello';
  private readonly writer: FrameWriter<NodeFrame>;
  private readonly receiver: TensorReceiver;
  private heartbeat: HeartbeatMonitor | undefined;
  private readonly requests = new Map<string, AbortController>();
  /** The `Error` frame the researcher sent, which explains the status that follows. */
  private refusal: TransportError | undefined;
  /** Called whenever a request leaves {@link requests} or the session closes (see {@link drain}). */
  private onSettled: (() => void) | undefined;
  private readonly closed: Promise<TransportError>;
  private drained: Promise<void> | undefined;
  private resolveClosed!: (reason: TransportError) => void;
  /** The researcher's bulk channel, once offered. */
  private bulk: BulkClient | undefined;

  constructor(
    private readonly call: ClientCall,
    private readonly settings: ClientSessionSettings,
  ) {
    const nodeId = settings.hello.nodeId;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.writer = new FrameWriter(call, () => ({ nodeId }));
    this.receiver = new TensorReceiver(settings.maxTransferBytes, { onLateFailure: (error) => this.fail(error) });
    call.on('data', (frame: ResearcherFrame__Output) => this.onFrame(frame));
    call.on('error', (error) => this.close(this.refusal ?? fromGrpcError(error, { nodeId })));
    // The researcher ended its stream after everything it sent: let those chunks be copied first.
    call.on('end', () => void this.receiver.whenCopied().then(() => this.close(this.refusal ?? new TransportError('UNAVAILABLE', 'the researcher closed the session', { nodeId }))));
    this.post({ hello: settings.hello });
  }

  private get nodeId(): string {
    return this.settings.hello.nodeId;
  }

  /** Ends the session: aborts running handlers, drops partial transfers, cancels the stream. */
  close(reason: TransportError): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.heartbeat?.stop();
    for (const controller of this.requests.values()) controller.abort(reason);
    this.requests.clear();
    this.receiver.failAll(reason);
    this.bulk?.close();
    this.call.cancel();
    this.resolveClosed(reason);
    this.onSettled?.();
    this.settings.onClosed(reason);
  }

  /**
   * Ends the session gracefully: refuses new requests (`SHUTTING_DOWN` error replies), lets the
   * requests already received finish, then half-closes the stream after their replies and tensor
   * chunks, and resolves once the researcher has read it to the end and closed its side. Rejects with
   * the reason when the session ends before every reply went out.
   */
  drain(): Promise<void> {
    this.drained ??= this.finish();
    return this.drained;
  }

  private async finish(): Promise<void> {
    if (this.state === 'hello') throw new TransportError('UNAVAILABLE', 'the session is not open yet', { nodeId: this.nodeId });
    if (this.state === 'active') this.state = 'draining';
    while (this.requests.size > 0 && this.state === 'draining') await new Promise<void>((resolve) => (this.onSettled = resolve));
    this.onSettled = undefined;
    if (this.state === 'closed' || !this.writer.open) {
      const reason = await this.closed;
      throw new TransportError(reason.code, `the session ended before the replies were sent: ${reason.message}`, { nodeId: this.nodeId, cause: reason });
    }
    // The half-close follows every frame already written, and the researcher closes its side only after
    // reading them all: once the session closes, every reply has arrived.
    this.heartbeat?.stop();
    this.call.end();
    await this.closed;
  }

  private settled(requestId: string, controller: AbortController): void {
    if (this.requests.get(requestId) !== controller) return;
    this.requests.delete(requestId);
    this.onSettled?.();
  }

  private post(frame: NodeFrame): void {
    this.writer.write(frame).catch((error) => this.settings.logger.debug({ nodeId: this.nodeId, err: String(error) }, 'frame not sent'));
  }

  private onFrame(frame: ResearcherFrame__Output): void {
    if (this.state === 'closed') return;
    try {
      this.heartbeat?.seen();
      this.dispatch(frame);
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.state === 'closed') return;
    const reason = asTransportError(error, { nodeId: this.nodeId });
    this.settings.logger.warn({ nodeId: this.nodeId, code: reason.code, requestId: reason.requestId, reason: reason.message }, 'session closed on a protocol error');
    this.close(reason);
  }

  private dispatch(frame: ResearcherFrame__Output): void {
    if (frame.kind === 'error' && frame.error) {
      const { code, message } = frame.error;
      this.refusal = new TransportError(fromWireCode(code), `researcher: ${message}`, { nodeId: this.nodeId, remoteCode: code });
      return;
    }
    if (this.state === 'hello') {
      if (frame.kind !== 'helloAck' || !frame.helloAck) throw new TransportError('MALFORMED', `expected hello_ack, got ${frame.kind ?? 'an empty frame'}`, { nodeId: this.nodeId });
      this.onHelloAck(frame.helloAck);
      return;
    }
    switch (frame.kind) {
      case 'request':
        if (frame.request) this.onRequest(frame.request);
        return;
      case 'chunk':
        if (frame.chunk) this.receiver.accept(frame.chunk);
        return;
      case 'cancel':
        if (frame.cancel) this.onCancel(frame.cancel.requestId, frame.cancel.reason);
        return;
      case 'heartbeat':
        return;
      case 'bulkOffer':
        if (frame.bulkOffer) this.onBulkOffer(frame.bulkOffer);
        return;
      case 'bulk':
        if (frame.bulk) this.onBulkDownload(frame.bulk);
        return;
      default:
        throw new TransportError('MALFORMED', `unexpected ${frame.kind ?? 'empty'} frame in an open session`, { nodeId: this.nodeId });
    }
  }

  private onHelloAck(ack: HelloAck__Output): void {
    const version = checkProtocolVersion(PROTOCOL_VERSION, ack.version, 'node');
    if (!version.compatible) throw new TransportError('VERSION_MISMATCH', version.reason, { nodeId: this.nodeId });
    if (version.warning) this.settings.logger.warn({ nodeId: this.nodeId }, version.warning);
    this.state = 'active';
    const intervalMs = ack.heartbeatIntervalMs || this.settings.heartbeatIntervalMs;
    this.heartbeat = new HeartbeatMonitor(
      intervalMs,
      this.settings.clock,
      (seq, timestampMs) => this.post({ heartbeat: { seq, timestampMs } }),
      (silentForMs) => this.close(new TransportError('UNAVAILABLE', `researcher silent for ${silentForMs} ms (missed heartbeats)`, { nodeId: this.nodeId })),
    );
    this.heartbeat.start();
    if (!raiseClientFrameSize(this.call)) {
      this.settings.logger.debug({ nodeId: this.nodeId }, 'could not raise the HTTP/2 frame size; downloads will be slower');
    }
    const fast = fastenClientCall(this.call);
    if (!fast.pooledDecoder || !fast.inPlaceFraming) {
      this.settings.logger.debug({ nodeId: this.nodeId, ...fast }, 'grpc-js internals not found: bulk transfers on this session will be slower');
    }
    this.settings.onReady(ack);
  }

  private onBulkOffer(offer: BulkChannelOffer__Output): void {
    const where = this.settings.bulk;
    if (!where) throw new TransportError('MALFORMED', 'bulk channel offered to a node that did not ask for it', { nodeId: this.nodeId });
    this.bulk?.close();
    this.bulk = new BulkClient(where.address, offer, where.tls, this.nodeId);
  }

  /**
   * The researcher announced a request's tensor set as a bulk download: fetches it and completes
   * the set; a refused or corrupt body fails that request (an error reply goes back), not the session.
   */
  private onBulkDownload(transfer: BulkTransfer__Output): void {
    const bulk = this.bulk;
    if (!bulk) throw new TransportError('MALFORMED', 'bulk transfer before any bulk channel offer', { nodeId: this.nodeId });
    const { transferId } = transfer;
    const failed = (error: unknown) => {
      const failure = asTransportError(error, { nodeId: this.nodeId });
      this.settings.logger.warn({ nodeId: this.nodeId, transferId, code: failure.code, reason: failure.message }, 'bulk download failed');
      this.receiver.failTransfer(transferId, failure);
    };
    try {
      this.receiver.checkBulk(transferId, Number(transfer.byteLength));
    } catch (error) {
      if (error instanceof TransportError && error.code === 'TRANSFER_FAILED') return failed(error);
      throw error;
    }
    bulk.fetch(transfer).then((body) => {
      if (this.state === 'closed') return;
      try {
        this.receiver.acceptBulk(transferId, body);
      } catch (error) {
        failed(error);
      }
    }, failed);
  }

  /** Sends large reply tensor sets as bulk uploads once the researcher offered the channel. */
  private bulkSender(requestId: string): BulkSender | undefined {
    const bulk = this.bulk;
    if (!bulk) return undefined;
    return {
      wants: (payload) => bulk.wants(payload),
      // The researcher decides the outcome (it fails the reply when the upload does not arrive intact): a
      // failed upload here is logged and the session goes on.
      send: (payload) =>
        bulk
          .upload(payload, (transfer) => this.writer.write({ bulk: transfer }))
          .catch((error: unknown) => this.settings.logger.warn({ nodeId: this.nodeId, requestId, transferId: payload.set.transferId, err: String(error) }, 'bulk upload failed')),
    };
  }

  private onRequest(request: Request__Output): void {
    const { requestId } = request;
    if (requestId === '' || this.requests.has(requestId)) {
      this.post({ reply: { requestId, nodeId: this.nodeId, error: { code: 'ERROR_CODE_MALFORMED', message: `request id "${requestId}" is empty or already running`, requestId, nodeId: this.nodeId } } });
      return;
    }
    if (this.state === 'draining') {
      const sets = findTensorSets(request);
      this.receiver.expect(requestId, sets, true, () => undefined);
      const message = `node "${this.nodeId}" is shutting down and takes no new request`;
      this.post({ reply: { requestId, nodeId: this.nodeId, error: { code: 'ERROR_CODE_SHUTTING_DOWN', message, requestId, nodeId: this.nodeId } } });
      return;
    }
    const controller = new AbortController();
    this.requests.set(requestId, controller);
    this.receiver.expect(requestId, findTensorSets(request), false, (outcome) => {
      if (!outcome.ok) {
        this.settled(requestId, controller);
        // A tensor set refused on its own (a bulk download) leaves the session open: say why the request fails.
        if (this.state !== 'closed') this.post({ reply: { requestId, nodeId: this.nodeId, error: { code: toWireCode(outcome.error), message: outcome.error.message, requestId, nodeId: this.nodeId } } });
        return;
      }
      this.run(request, outcome.tensors, controller).finally(() => this.settled(requestId, controller));
    });
  }

  private onCancel(requestId: string, reason: string): void {
    this.receiver.discard(requestId);
    const controller = this.requests.get(requestId);
    if (controller) this.settled(requestId, controller);
    controller?.abort(new TransportError('CANCELLED', `researcher cancelled request: ${reason}`, { nodeId: this.nodeId, requestId }));
  }

  private async run(request: Request__Output, tensors: ReceivedTensors, controller: AbortController): Promise<void> {
    const { requestId } = request;
    const nodeId = this.nodeId;
    const context: RequestContext = {
      requestId,
      signal: controller.signal,
      sendScalar: (scalar) => this.post({ scalar: { ...scalar, requestId } }),
      sendLog: (level, message) => this.post({ log: { requestId, level, message, timestampMs: Date.now() } }),
    };
    let replied = false;
    try {
      const result = await this.settings.handler(request, tensors, context);
      controller.signal.throwIfAborted();
      const payloads = result.tensors ?? [];
      checkPayloads('NodeClient handler reply', result.reply, payloads);
      replied = true;
      await this.writer.write({ reply: { ...result.reply, requestId, nodeId } });
      await sendTensorSets((chunk) => this.writer.write({ chunk }), payloads, this.bulkSender(requestId), this.settings.chunkSizeBytes, controller.signal, { nodeId, requestId });
    } catch (error) {
      if (controller.signal.aborted || this.state === 'closed') return;
      if (replied) {
        // The reply's tensors were cut: the researcher cannot complete it, so the session restarts fresh.
        this.close(new TransportError('TRANSFER_FAILED', `sending the reply of request "${requestId}" failed: ${String(error)}`, { nodeId, requestId, cause: error }));
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.settings.logger.warn({ nodeId, requestId, err: message }, 'request handler failed');
      this.post({ reply: { requestId, nodeId, error: { code: toWireCode(error), message, requestId, nodeId } } });
    }
  }
}
