import http2 from 'node:http2';
import type { BulkChannelOffer__Output, BulkTransfer, BulkTransfer__Output } from '@fedbiomed/proto';
import { BULK_MAX_FRAME_BYTES, BULK_NODE_HEADER, BULK_PATH, BULK_TOKEN_HEADER, BULK_WINDOW_BYTES, bodyDigest, bodyLength, readBody, writeBody } from './bulk-body';
import { newToken } from './bulk-server';
import type { ClientTlsOptions } from './credentials';
import { TransportError } from './errors';
import type { TensorPayload } from './tensor';

/**
 * A node's end of the researcher's bulk channel: one HTTP/2 connection to the port the researcher
 * offered, on the host of its gRPC address, with the same TLS settings (CA, client certificate,
 * server name) as the gRPC channel; opened at the first transfer.
 */
export class BulkClient {
  private session: http2.ClientHttp2Session | undefined;
  readonly minBytes: number;

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
    const stream = this.connect().request({ ':method': 'GET', ':path': BULK_PATH, [BULK_TOKEN_HEADER]: transfer.token, [BULK_NODE_HEADER]: this.nodeId });
    stream.end();
    await this.accepted(stream, transfer.transferId);
    try {
      return await readBody(stream, { transferId: transfer.transferId, byteLength: Number(transfer.byteLength), sha256: transfer.sha256 }, { nodeId: this.nodeId });
    } finally {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    }
  }

  /**
   * Uploads a tensor set's body under a fresh token: `announce` sends the returned frame on the
   * session, then the body goes on the bulk stream. Resolves once the researcher checked it.
   */
  async upload(payload: TensorPayload, announce: (transfer: BulkTransfer) => Promise<void>): Promise<void> {
    const transfer = { transferId: payload.set.transferId, token: newToken(), byteLength: bodyLength(payload), sha256: bodyDigest(payload) };
    await announce(transfer);
    const stream = this.connect().request({
      ':method': 'POST',
      ':path': BULK_PATH,
      'content-length': transfer.byteLength,
      [BULK_TOKEN_HEADER]: transfer.token,
      [BULK_NODE_HEADER]: this.nodeId,
    });
    const answered = this.accepted(stream, transfer.transferId);
    answered.catch(() => undefined);
    await writeBody(stream, payload).catch(() => undefined); // a refusal ends the stream early: the answer says why
    await answered;
    stream.resume();
  }

  /** Closes the connection. */
  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const host = this.grpcAddress.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const tls = this.tls;
    const authority = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.offer.port}`;
    const session = http2.connect(authority, {
      settings: { initialWindowSize: BULK_WINDOW_BYTES, maxFrameSize: BULK_MAX_FRAME_BYTES },
      ...(tls && { ca: tls.caPem, servername: tls.serverName ?? host, ...(tls.certPem !== undefined && { cert: tls.certPem, key: tls.keyPem }) }),
    });
    session.on('connect', () => session.setLocalWindowSize(BULK_WINDOW_BYTES));
    session.on('error', () => undefined); // surfaced on the streams
    session.unref();
    this.session = session;
    return session;
  }

  /** Resolves on a 200 answer; rejects with the researcher's reason otherwise. */
  private accepted(stream: http2.ClientHttp2Stream, transferId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      stream.once('error', (error) => reject(new TransportError('TRANSFER_FAILED', `bulk transfer "${transferId}": ${error.message}`, { nodeId: this.nodeId, cause: error })));
      stream.once('response', (headers) => {
        const status = Number(headers[':status']);
        if (status === 200) return resolve();
        let reason = '';
        stream.setEncoding('utf8');
        stream.on('data', (text: string) => (reason += text));
        stream.once('end', () => {
          const code = status === 401 || status === 403 ? 'UNAUTHENTICATED' : 'TRANSFER_FAILED';
          reject(new TransportError(code, `bulk transfer "${transferId}" refused by the researcher (HTTP ${status}): ${reason}`, { nodeId: this.nodeId }));
        });
      });
    });
  }
}
