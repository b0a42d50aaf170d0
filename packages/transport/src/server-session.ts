import type { ServerDuplexStream } from '@grpc/grpc-js';
import {
  PROTOCOL_VERSION,
  type BulkTransfer__Output,
  type Hello__Output,
  type Log__Output,
  type NodeFrame__Output,
  type Reply__Output,
  type Request,
  type ResearcherFrame,
  type Scalar__Output,
  type TensorSet__Output,
} from '@fedbiomed/proto';
import type { Clock } from './clock';
import { asTransportError, fromGrpcError, toGrpcStatus, toWireCode, TransportError } from './errors';
import { FLOW_CONTROL_WINDOW_BYTES, raiseServerReceiveWindow } from './flow-control';
import { BULK_CAPABILITY } from './bulk-body';
import type { BulkServer } from './bulk-server';
import { FrameWriter, sendTensorSets, type BulkSender } from './frame-writer';
import { HeartbeatMonitor } from './heartbeat';
import type { Logger } from './logger';
import type { TensorPayload } from './tensor';
import { TensorReceiver, type TransferOutcome } from './tensor-receiver';

/** What a session needs from the server that owns it. */
export interface SessionHost {
  readonly researcherId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly heartbeatIntervalMs: number;
  readonly helloTimeoutMs: number;
  readonly chunkSizeBytes: number;
  readonly maxTransferBytes: number;
  /** The researcher's bulk channel, when it runs one. */
  readonly bulk: BulkServer | undefined;
  /** Admits the node (returns the refusal otherwise) and registers the session. */
  admit(session: ServerSession, hello: Hello__Output): TransportError | undefined;
  /** Called once when the session ends, whether or not it was admitted. */
  closed(session: ServerSession, reason: TransportError): void;
  reply(session: ServerSession, reply: Reply__Output): void;
  scalar(session: ServerSession, scalar: Scalar__Output): void;
  log(session: ServerSession, log: Log__Output): void;
  heartbeat(session: ServerSession): void;
}

export type SessionCall = ServerDuplexStream<NodeFrame__Output, ResearcherFrame>;

/**
 * One node's session stream on the researcher: hello, then frames in both directions. Any breach of
 * the contract ends the session with an `Error` frame (code and reason) and a matching gRPC status;
 * everything the session held (transfers, pending requests, timers) is released then.
 */
export class ServerSession {
  hello: Hello__Output | undefined;
  private state: 'hello' | 'active' | 'closed' = 'hello';
  private readonly writer: FrameWriter<ResearcherFrame>;
  private readonly receiver: TensorReceiver;
  private readonly heartbeat: HeartbeatMonitor;
  private helloTimer: unknown;
  /** Set once the node, which announced the bulk capability, was offered the researcher's bulk channel. */
  private bulk: BulkServer | undefined;

  constructor(
    private readonly call: SessionCall,
    private readonly host: SessionHost,
  ) {
    this.writer = new FrameWriter(call, () => ({ nodeId: this.nodeId }));
    this.receiver = new TensorReceiver(host.maxTransferBytes, { onLateFailure: (error) => this.fail(error) });
    if (!raiseServerReceiveWindow(call, FLOW_CONTROL_WINDOW_BYTES)) {
      host.logger.debug({ peer: this.peer }, 'could not raise the HTTP/2 receive window; node uploads will be slower');
    }
    this.heartbeat = new HeartbeatMonitor(
      host.heartbeatIntervalMs,
      host.clock,
      (seq, timestampMs) => this.post({ heartbeat: { seq, timestampMs } }),
      (silentForMs) => this.close(new TransportError('UNAVAILABLE', `node silent for ${silentForMs} ms (missed heartbeats)`, { nodeId: this.nodeId })),
    );
    this.helloTimer = host.clock.setTimeout(
      () => this.close(new TransportError('MALFORMED', `no hello within ${host.helloTimeoutMs} ms`)),
      host.helloTimeoutMs,
    );
    call.on('data', (frame: NodeFrame__Output) => this.onFrame(frame));
    // A node that ends its stream (a drain) has sent everything: let the chunks it sent be copied first.
    call.on('end', () => void this.receiver.whenCopied().then(() => this.close(new TransportError('UNAVAILABLE', 'the node closed its session', { nodeId: this.nodeId }), false)));
    call.on('cancelled', () => this.close(new TransportError('UNAVAILABLE', 'the node connection was lost', { nodeId: this.nodeId }), false));
    call.on('error', (error) => this.close(fromGrpcError(error, { nodeId: this.nodeId }), false));
  }

  /** The node id, once hello was accepted. */
  get nodeId(): string | undefined {
    return this.hello?.nodeId;
  }

  /** The peer address, for logs. */
  get peer(): string {
    return this.call.getPeer();
  }

  get active(): boolean {
    return this.state === 'active';
  }

  /** The verified client certificate (mutual TLS only). */
  peerCertificate() {
    return this.call.getAuthContext()?.sslPeerCertificate;
  }

  /** Sends a request and streams its tensors with backpressure; stops when `signal` aborts. */
  async sendRequest(request: Request & { requestId: string }, payloads: readonly TensorPayload[], signal: AbortSignal): Promise<void> {
    const context = { nodeId: this.nodeId, requestId: request.requestId };
    await this.writer.write({ request });
    await sendTensorSets((chunk) => this.writer.write({ chunk }), payloads, this.bulkSender(), this.host.chunkSizeBytes, signal, context);
  }

  /** Sends large tensor sets as bulk downloads when the node was offered the channel. */
  private bulkSender(): BulkSender | undefined {
    const { bulk, nodeId } = this;
    if (!bulk || nodeId === undefined) return undefined;
    return {
      wants: (payload) => bulk.wants(payload),
      send: (payload) => this.writer.write({ bulk: bulk.offer(nodeId, payload) }),
    };
  }

  /** Tells the node to stop a request, and drops the reply tensors already arriving for it. */
  cancel(requestId: string, reason: string): void {
    this.receiver.discard(requestId);
    this.post({ cancel: { requestId, reason } });
  }

  /** Waits for the tensors a reply announced (`discard`: check, but do not keep, a late reply's). */
  receiveTensors(requestId: string, sets: TensorSet__Output[], discard: boolean, done: (outcome: TransferOutcome) => void): void {
    try {
      this.receiver.expect(requestId, sets, discard, done);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Ends the session. With `notify`, the node gets an `Error` frame with the reason first, and the
   * stream ends with the matching gRPC status.
   */
  close(reason: TransportError, notify = true): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.host.clock.clearTimeout(this.helloTimer);
    this.heartbeat.stop();
    this.receiver.failAll(reason);
    if (this.writer.open) {
      if (notify) {
        this.call.write({ error: { code: toWireCode(reason), message: reason.message, requestId: reason.requestId ?? '', nodeId: this.nodeId ?? '' } });
        this.call.emit('error', toGrpcStatus(reason));
      } else {
        this.call.end();
      }
    }
    this.host.closed(this, reason);
  }

  /** Writes a frame without waiting; a failure means the session is closing anyway. */
  post(frame: ResearcherFrame): void {
    this.writer.write(frame).catch((error) => this.host.logger.debug({ nodeId: this.nodeId, err: String(error) }, 'frame not sent'));
  }

  private onFrame(frame: NodeFrame__Output): void {
    if (this.state === 'closed') return;
    try {
      this.heartbeat.seen();
      this.dispatch(frame);
    } catch (error) {
      this.fail(error);
    }
  }

  private dispatch(frame: NodeFrame__Output): void {
    if (this.state === 'hello') {
      if (frame.kind !== 'hello' || !frame.hello) throw new TransportError('MALFORMED', `first frame must be hello, got ${frame.kind ?? 'an empty frame'}`);
      this.onHello(frame.hello);
      return;
    }
    switch (frame.kind) {
      case 'reply':
        if (frame.reply) this.host.reply(this, frame.reply);
        return;
      case 'chunk':
        if (frame.chunk) this.receiver.accept(frame.chunk);
        return;
      case 'scalar':
        if (frame.scalar) this.host.scalar(this, frame.scalar);
        return;
      case 'log':
        if (frame.log) this.host.log(this, frame.log);
        return;
      case 'heartbeat':
        this.host.heartbeat(this);
        return;
      case 'bulk':
        if (frame.bulk) this.onBulkUpload(frame.bulk);
        return;
      default:
        throw new TransportError('MALFORMED', `unexpected ${frame.kind ?? 'empty'} frame in an open session`, { nodeId: this.nodeId });
    }
  }

  private onHello(hello: Hello__Output): void {
    this.host.clock.clearTimeout(this.helloTimer);
    this.hello = hello;
    const refusal = this.host.admit(this, hello);
    if (refusal) {
      this.host.logger.warn({ nodeId: hello.nodeId, peer: this.peer, code: refusal.code, reason: refusal.message }, 'node refused');
      this.hello = undefined;
      this.close(refusal);
      return;
    }
    this.state = 'active';
    this.post({ helloAck: { researcherId: this.host.researcherId, version: PROTOCOL_VERSION, heartbeatIntervalMs: this.host.heartbeatIntervalMs } });
    this.heartbeat.start();
    if (this.host.bulk?.port !== undefined && hello.capabilities.includes(BULK_CAPABILITY)) {
      this.bulk = this.host.bulk;
      this.post({ bulkOffer: { port: this.host.bulk.port, minBytes: this.host.bulk.minBytes } });
    }
  }

  /**
   * A node announced a reply's tensor set as a bulk upload: registers its token, bound to this node,
   * and completes the set from the uploaded body. A body refused for its size, digest or sender
   * fails that reply with a `TransportError`; the session goes on.
   */
  private onBulkUpload(transfer: BulkTransfer__Output): void {
    const { bulk, nodeId } = this;
    if (!bulk || nodeId === undefined) throw new TransportError('MALFORMED', 'bulk transfer from a node that was not offered the bulk channel', { nodeId });
    const { transferId } = transfer;
    try {
      this.receiver.checkBulk(transferId, Number(transfer.byteLength));
    } catch (error) {
      if (!(error instanceof TransportError) || error.code !== 'TRANSFER_FAILED') throw error;
      this.receiver.failTransfer(transferId, new TransportError(error.code, error.message, { nodeId }));
      return;
    }
    bulk.expectUpload(nodeId, { ...transfer, byteLength: Number(transfer.byteLength) }, (outcome) => {
      if (this.state === 'closed') return;
      try {
        if (!outcome.ok) throw outcome.error;
        this.receiver.acceptBulk(transferId, outcome.body);
      } catch (error) {
        const failure = asTransportError(error, { nodeId });
        this.host.logger.warn({ nodeId, transferId, code: failure.code, reason: failure.message }, 'bulk upload refused');
        this.receiver.failTransfer(transferId, failure);
      }
    });
  }

  private fail(error: unknown): void {
    const reason = asTransportError(error, { nodeId: this.nodeId });
    this.host.logger.warn({ nodeId: this.nodeId, peer: this.peer, code: reason.code, requestId: reason.requestId, reason: reason.message }, 'session closed on a protocol error');
    this.close(reason);
  }
}
