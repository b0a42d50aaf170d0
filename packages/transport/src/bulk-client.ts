import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { BulkChannelOffer__Output, BulkTransfer, BulkTransfer__Output } from '@fedbiomed/proto';
import { bodyDigest, bodyLength, lineOf, readBody, readLine, writeBody } from './bulk-body';
import { newToken } from './bulk-server';
import type { ClientTlsOptions } from './credentials';
import { TransportError } from './errors';
import type { TensorPayload } from './tensor';

/**
 * A node's end of the researcher's bulk channel: one connection per transfer to the port the
 * researcher offered, on the host of its gRPC address, with the same TLS settings (CA, client
 * certificate, server name) as the gRPC channel.
 */
export class BulkClient {
  readonly minBytes: number;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly grpcAddress: string,
    private readonly offer: BulkChannelOffer__Output,
    private readonly tls: ClientTlsOptions | undefined,
    private readonly nodeId: string,
  ) {
    this.minBytes = Number(offer.minBytes);
  }

  /** Whether a tensor set is large enough to go through the channel. */
  wants(payload: TensorPayload): boolean {
    return bodyLength(payload) >= this.minBytes;
  }

  /** Fetches the body a researcher's `BulkTransfer` announced; rejects unless its length and SHA-256 match. */
  async fetch(transfer: BulkTransfer__Output): Promise<Uint8Array> {
    const socket = await this.connect();
    try {
      socket.write(lineOf({ method: 'GET', token: transfer.token, nodeId: this.nodeId }));
      await this.accepted(socket, transfer.transferId);
      return await readBody(socket, { transferId: transfer.transferId, byteLength: Number(transfer.byteLength), sha256: transfer.sha256 }, { nodeId: this.nodeId });
    } finally {
      socket.destroy();
    }
  }

  /**
   * Uploads a tensor set's body under a fresh token: `announce` sends the returned frame on the
   * session, then the body goes on a bulk connection. Resolves once the researcher checked it.
   */
  async upload(payload: TensorPayload, announce: (transfer: BulkTransfer) => Promise<void>): Promise<void> {
    const transfer = { transferId: payload.set.transferId, token: newToken(), byteLength: bodyLength(payload), sha256: bodyDigest(payload) };
    await announce(transfer);
    const socket = await this.connect();
    try {
      socket.write(lineOf({ method: 'POST', token: transfer.token, nodeId: this.nodeId, contentLength: transfer.byteLength }));
      const answered = this.accepted(socket, transfer.transferId);
      answered.catch(() => undefined);
      await writeBody(socket, payload).catch(() => undefined); // a refusal cuts the upload: the answer says why
      await answered;
    } finally {
      socket.destroy();
    }
  }

  /** Cuts the transfers in progress. */
  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private async connect(): Promise<net.Socket> {
    const host = this.grpcAddress.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const { port } = this.offer;
    const options = this.tls;
    // allowHalfOpen: after an upload's body this side ends, and still reads the answer.
    const tcp = net.connect({ host, port, allowHalfOpen: true });
    const socket = options
      ? tls.connect({ socket: tcp, ca: options.caPem, servername: options.serverName ?? host, ...(options.certPem !== undefined && { cert: options.certPem, key: options.keyPem }) })
      : tcp;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    try {
      await once(socket, options ? 'secureConnect' : 'connect');
    } catch (error) {
      socket.destroy();
      throw new TransportError('UNAVAILABLE', `cannot reach the researcher's bulk port ${host}:${port}: ${String(error)}`, { nodeId: this.nodeId, cause: error });
    }
    return socket;
  }

  /** Resolves on a 200 answer; rejects with the researcher's reason otherwise. */
  private async accepted(socket: net.Socket, transferId: string): Promise<void> {
    let answer: Record<string, unknown>;
    try {
      answer = await readLine(socket);
    } catch (error) {
      throw new TransportError('TRANSFER_FAILED', `bulk transfer "${transferId}": ${String(error)}`, { nodeId: this.nodeId, cause: error });
    }
    const status = Number(answer['status']);
    if (status === 200) return;
    const code = status === 401 || status === 403 ? 'UNAUTHENTICATED' : 'TRANSFER_FAILED';
    throw new TransportError(code, `bulk transfer "${transferId}" refused by the researcher (${status}): ${String(answer['reason'])}`, { nodeId: this.nodeId });
  }
}
