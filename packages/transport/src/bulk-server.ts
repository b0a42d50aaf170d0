import { createHash, randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { BulkTransfer } from '@fedbiomed/proto';
import { BULK_MAX_FRAME_BYTES, BULK_NODE_HEADER, BULK_PATH, BULK_TOKEN_HEADER, BULK_WINDOW_BYTES, bodyDigest, bodyLength, readBody, writeBody } from './bulk-body';
import type { Clock } from './clock';
import type { ServerTlsOptions } from './credentials';
import { TransportError } from './errors';
import type { Logger } from './logger';
import { certificateNames } from './server-auth';
import type { TensorPayload } from './tensor';

/** Bulk channel settings of a researcher (see `ResearcherServerOptions.bulk`). */
export interface BulkChannelOptions {
  /** Port of the bulk channel (default 0: a free one, announced to nodes). */
  port?: number;
  /** Tensor sets of at least this many bytes use the channel (default 8 MiB); smaller ones stay on gRPC chunks. */
  minBytes?: number;
  /** A token not used within this delay expires (default 60 s). */
  tokenTtlMs?: number;
}

/** Default {@link BulkChannelOptions.minBytes}. */
export const DEFAULT_BULK_MIN_BYTES = 8 * 2 ** 20;
/** Default {@link BulkChannelOptions.tokenTtlMs}. */
export const DEFAULT_BULK_TOKEN_TTL_MS = 60_000;

/** Where a node's upload goes once it arrived and passed its checks, or why it failed. */
export type UploadDelivery = (outcome: { ok: true; body: Uint8Array } | { ok: false; error: TransportError }) => void;

interface Download {
  kind: 'download';
  nodeId: string;
  payload: TensorPayload;
  timer: unknown;
}

interface Upload {
  kind: 'upload';
  nodeId: string;
  transfer: { transferId: string; byteLength: number; sha256: Uint8Array };
  deliver: UploadDelivery;
  timer: unknown;
}

/** What the researcher's bulk server needs from its owner. */
export interface BulkServerSettings extends BulkChannelOptions {
  host: string;
  tls: ServerTlsOptions | undefined;
  clock: Clock;
  logger: Logger;
}

/**
 * The researcher's bulk channel: an HTTP/2 server (plaintext, TLS, or mutual TLS with the gRPC
 * port's key, certificate and client CA) serving tensor-set bodies to nodes (GET) and taking theirs
 * (POST), each under a one-time token announced on the node's gRPC session. A token is 256 random
 * bits, kept only as its SHA-256, used once, expires after `tokenTtlMs`, and is bound to one node id:
 * under mutual TLS the client certificate must name that node, otherwise the request must carry it
 * in `fedbiomed-node-id`. Every refusal answers the HTTP/2 stream with a status and a reason; the
 * gRPC sessions are not affected.
 */
export class BulkServer {
  private readonly server: http2.Http2Server | http2.Http2SecureServer;
  private readonly entries = new Map<string, Download | Upload>();
  /** Uploads whose POST arrived before the session frame announcing them (the two travel apart). */
  private readonly early = new Map<string, () => void>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private boundPort: number | undefined;
  readonly minBytes: number;
  private readonly tokenTtlMs: number;

  constructor(private readonly settings: BulkServerSettings) {
    this.minBytes = settings.minBytes ?? DEFAULT_BULK_MIN_BYTES;
    this.tokenTtlMs = settings.tokenTtlMs ?? DEFAULT_BULK_TOKEN_TTL_MS;
    const http2Settings = { initialWindowSize: BULK_WINDOW_BYTES, maxFrameSize: BULK_MAX_FRAME_BYTES };
    const { tls } = settings;
    this.server = tls
      ? http2.createSecureServer({
          key: tls.keyPem,
          cert: tls.certPem,
          settings: http2Settings,
          // Under mutual TLS a peer without a certificate of the researcher's CA gets no connection at all.
          ...(tls.clientCaPem !== undefined && { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: true }),
        })
      : http2.createServer({ settings: http2Settings });
    this.server.on('session', (session) => {
      session.setLocalWindowSize(BULK_WINDOW_BYTES);
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    this.server.on('stream', (stream, headers) => this.onStream(stream, headers));
  }

  /** Binds the port; resolves with it. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.settings.port ?? 0, this.settings.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.boundPort = typeof address === 'object' && address ? address.port : 0;
        resolve(this.boundPort);
      });
    });
  }

  /** The bound port, once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** Stops serving; pending uploads fail with `UNAVAILABLE`. */
  async stop(): Promise<void> {
    for (const [key, entry] of this.entries) this.expire(key, entry, new TransportError('UNAVAILABLE', 'the researcher stopped its bulk channel', { nodeId: entry.nodeId }));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Open connections would keep close() waiting.
      for (const session of this.sessions) session.destroy();
    });
  }

  /** Whether a tensor set is large enough to go through the channel. */
  wants(payload: TensorPayload): boolean {
    return bodyLength(payload) >= this.minBytes;
  }

  /** Registers a body for `nodeId` to fetch; returns the frame announcing it on the node's session. */
  offer(nodeId: string, payload: TensorPayload): BulkTransfer & { token: string } {
    const token = newToken();
    const key = tokenKey(token);
    this.entries.set(key, { kind: 'download', nodeId, payload, timer: this.expiry(key) });
    return { transferId: payload.set.transferId, token, byteLength: bodyLength(payload), sha256: bodyDigest(payload) };
  }

  /** Registers an upload a node announced on its session; `deliver` is called once, with the body or the failure. */
  expectUpload(nodeId: string, transfer: Upload['transfer'] & { token: string }, deliver: UploadDelivery): void {
    const key = tokenKey(transfer.token);
    if (this.entries.has(key)) {
      deliver({ ok: false, error: new TransportError('UNAUTHENTICATED', `bulk transfer "${transfer.transferId}": token already in use`, { nodeId }) });
      return;
    }
    const { transferId, byteLength, sha256 } = transfer;
    this.entries.set(key, { kind: 'upload', nodeId, transfer: { transferId, byteLength, sha256 }, deliver, timer: this.expiry(key) });
    this.early.get(key)?.();
  }

  /** Number of registered tokens (for leak checks). */
  get size(): number {
    return this.entries.size;
  }

  private expiry(key: string): unknown {
    return this.settings.clock.setTimeout(() => {
      const entry = this.entries.get(key);
      if (entry) this.expire(key, entry, new TransportError('TRANSFER_FAILED', `bulk token expired after ${this.tokenTtlMs} ms unused`, { nodeId: entry.nodeId }));
    }, this.tokenTtlMs);
  }

  private expire(key: string, entry: Download | Upload, error: TransportError): void {
    this.take(key);
    if (entry.kind === 'upload') entry.deliver({ ok: false, error });
  }

  /** Removes a token for good: it is single use, whatever the outcome. */
  private take(key: string): Download | Upload | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.settings.clock.clearTimeout(entry.timer);
    return entry;
  }

  private async onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> {
    const refuse = (status: number, reason: string) => {
      this.settings.logger.warn({ status, reason, peer: stream.session?.socket?.remoteAddress }, 'bulk request refused');
      if (stream.destroyed || stream.closed) return;
      if (!stream.headersSent) stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8' });
      // Once the answer is out, the stream is reset, so a sender still uploading stops.
      stream.end(reason, () => stream.close(http2.constants.NGHTTP2_NO_ERROR));
    };
    stream.on('error', (error) => this.settings.logger.debug({ err: String(error) }, 'bulk stream failed'));
    const method = headers[':method'];
    const token = headers[BULK_TOKEN_HEADER];
    if (headers[':path'] !== BULK_PATH || (method !== 'GET' && method !== 'POST')) return refuse(404, `no such bulk resource: ${String(method)} ${String(headers[':path'])}`);
    if (typeof token !== 'string' || token === '') return refuse(401, `missing ${BULK_TOKEN_HEADER} header`);
    const key = tokenKey(token);
    if (method === 'POST' && !this.entries.has(key)) await this.announced(key);
    const entry = this.take(key);
    if (!entry) return refuse(403, 'unknown, used or expired bulk token');
    const identityProblem = this.identityProblem(stream, headers, entry.nodeId);
    if (identityProblem) {
      if (entry.kind === 'upload') entry.deliver({ ok: false, error: new TransportError('UNAUTHENTICATED', `bulk upload "${entry.transfer.transferId}": ${identityProblem}`, { nodeId: entry.nodeId }) });
      return refuse(403, identityProblem);
    }
    if (entry.kind === 'download') {
      if (method !== 'GET') return refuse(405, 'this token is for a download (GET)');
      stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': bodyLength(entry.payload) });
      const transferId = entry.payload.set.transferId;
      await writeBody(stream, entry.payload).then(
        () => this.settings.logger.debug({ nodeId: entry.nodeId, transferId }, 'bulk download served'),
        (error: unknown) => this.settings.logger.debug({ nodeId: entry.nodeId, transferId, err: String(error) }, 'bulk download cut'),
      );
      return;
    }
    if (method !== 'POST') {
      entry.deliver({ ok: false, error: new TransportError('MALFORMED', `bulk upload "${entry.transfer.transferId}": fetched with ${method}`, { nodeId: entry.nodeId }) });
      return refuse(405, 'this token is for an upload (POST)');
    }
    const declared = Number(headers['content-length'] ?? entry.transfer.byteLength);
    if (declared !== entry.transfer.byteLength) {
      const error = new TransportError('TRANSFER_FAILED', `bulk upload "${entry.transfer.transferId}": content-length ${declared}, ${entry.transfer.byteLength} announced`, { nodeId: entry.nodeId });
      entry.deliver({ ok: false, error });
      return refuse(413, error.message);
    }
    try {
      const body = await readBody(stream, entry.transfer, { nodeId: entry.nodeId });
      stream.respond({ ':status': 200 });
      stream.end();
      this.settings.logger.debug({ nodeId: entry.nodeId, transferId: entry.transfer.transferId }, 'bulk upload received');
      entry.deliver({ ok: true, body });
    } catch (error) {
      const failure = error as TransportError;
      entry.deliver({ ok: false, error: failure });
      refuse(422, failure.message);
    }
  }

  /** Waits (at most the token lifetime) for the session frame announcing an upload whose POST came first. */
  private announced(key: string): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.settings.clock.setTimeout(() => {
        this.early.delete(key);
        resolve();
      }, Math.min(this.tokenTtlMs, 10_000));
      this.early.set(key, () => {
        this.settings.clock.clearTimeout(timer);
        this.early.delete(key);
        resolve();
      });
    });
  }

  /** Why the peer may not use a token of `nodeId`, or `undefined` when it may. */
  private identityProblem(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, nodeId: string): string | undefined {
    if (this.settings.tls?.clientCaPem !== undefined) {
      const certificate = (stream.session?.socket as TLSSocket | undefined)?.getPeerCertificate?.();
      const names = certificate && Object.keys(certificate).length > 0 ? [...new Set(certificateNames(certificate))] : [];
      if (!names.includes(nodeId)) return `the token belongs to node "${nodeId}" but the client certificate names ${names.map((n) => `"${n}"`).join(', ') || 'no identity'}`;
      return undefined;
    }
    const claimed = headers[BULK_NODE_HEADER];
    if (claimed !== nodeId) return `the token belongs to node "${nodeId}", not "${String(claimed)}"`;
    return undefined;
  }
}

/** A fresh one-time token: 256 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are kept by hash, so lookups leak nothing about stored tokens through timing. */
function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
