import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { BulkTransfer } from '@fedbiomed/proto';
import { bodyDigest, bodyLength, lineOf, readBody, readLine, writeBody } from './bulk-body';
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
/**
 * Uploads that may wait at once for the session frame announcing them; beyond, a connection with a
 * token not (yet) announced is refused at once, so unauthenticated connections cannot pile up.
 */
const MAX_EARLY_UPLOADS = 64;

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
 * The researcher's bulk channel: a TCP server (plaintext, TLS, or mutual TLS with the gRPC port's
 * key, certificate and client CA) serving tensor-set bodies to nodes (`GET`) and taking theirs
 * (`POST`), one connection per transfer, each under a one-time token announced on the node's gRPC
 * session. A connection starts with one JSON request line ({@link BulkRequestLine}) and the answer
 * is one JSON line ({@link BulkAnswerLine}), followed by the body for a `GET`. A token is 256 random
 * bits, kept only as its SHA-256, used once, expires after `tokenTtlMs`, and is bound to one node id:
 * under mutual TLS the client certificate must name that node, otherwise the request line must.
 * Every refusal answers with a status and a reason and closes that connection; the gRPC sessions
 * are not affected.
 */
export class BulkServer {
  private readonly server: net.Server;
  private readonly entries = new Map<string, Download | Upload>();
  /** Uploads whose POST arrived before the session frame announcing them (the two travel apart). */
  private readonly early = new Map<string, () => void>();
  private readonly sockets = new Set<net.Socket>();
  private boundPort: number | undefined;
  readonly minBytes: number;
  private readonly tokenTtlMs: number;

  constructor(private readonly settings: BulkServerSettings) {
    this.minBytes = settings.minBytes ?? DEFAULT_BULK_MIN_BYTES;
    this.tokenTtlMs = settings.tokenTtlMs ?? DEFAULT_BULK_TOKEN_TTL_MS;
    const serve = (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', (error) => this.settings.logger.debug({ err: String(error) }, 'bulk connection failed'));
      void this.serve(socket);
    };
    const { tls: tlsOptions } = settings;
    // allowHalfOpen: an uploading node ends its side after the body and still reads the answer.
    this.server = tlsOptions
      ? tls.createServer(
          {
            key: tlsOptions.keyPem,
            cert: tlsOptions.certPem,
            allowHalfOpen: true,
            // Under mutual TLS a peer without a certificate of the researcher's CA gets no connection at all.
            ...(tlsOptions.clientCaPem !== undefined && { ca: tlsOptions.clientCaPem, requestCert: true, rejectUnauthorized: true }),
          },
          serve,
        )
      : net.createServer({ allowHalfOpen: true }, serve);
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
      for (const socket of this.sockets) socket.destroy();
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

  private async serve(socket: net.Socket): Promise<void> {
    const refuse = (status: number, reason: string) => {
      this.settings.logger.warn({ status, reason, peer: socket.remoteAddress }, 'bulk request refused');
      if (socket.destroyed) return;
      socket.pause();
      // A sender still uploading is cut once the answer had time to reach it.
      socket.end(lineOf({ status, reason }), () => setTimeout(() => socket.destroy(), 2_000).unref());
    };
    let request: Record<string, unknown>;
    try {
      request = await readLine(socket);
    } catch (error) {
      return refuse(400, (error as Error).message);
    }
    const { method, token, nodeId: claimed } = request;
    if (method !== 'GET' && method !== 'POST') return refuse(400, `unknown bulk method ${String(method)}`);
    if (typeof token !== 'string' || token === '') return refuse(401, 'missing bulk token');
    const key = tokenKey(token);
    if (method === 'POST' && !this.entries.has(key) && this.early.size < MAX_EARLY_UPLOADS) await this.announced(key);
    const entry = this.take(key);
    if (!entry) return refuse(403, 'unknown, used or expired bulk token');
    const identityProblem = this.identityProblem(socket, claimed, entry.nodeId);
    if (identityProblem) {
      if (entry.kind === 'upload') entry.deliver({ ok: false, error: new TransportError('UNAUTHENTICATED', `bulk upload "${entry.transfer.transferId}": ${identityProblem}`, { nodeId: entry.nodeId }) });
      return refuse(403, identityProblem);
    }
    if (entry.kind === 'download') {
      if (method !== 'GET') return refuse(405, 'this token is for a download (GET)');
      const transferId = entry.payload.set.transferId;
      socket.write(lineOf({ status: 200 }));
      await writeBody(socket, entry.payload).then(
        () => this.settings.logger.debug({ nodeId: entry.nodeId, transferId }, 'bulk download served'),
        (error: unknown) => this.settings.logger.debug({ nodeId: entry.nodeId, transferId, err: String(error) }, 'bulk download cut'),
      );
      return;
    }
    if (method !== 'POST') {
      entry.deliver({ ok: false, error: new TransportError('MALFORMED', `bulk upload "${entry.transfer.transferId}": fetched with ${method}`, { nodeId: entry.nodeId }) });
      return refuse(405, 'this token is for an upload (POST)');
    }
    const declared = request['contentLength'];
    if (declared !== entry.transfer.byteLength) {
      const error = new TransportError('TRANSFER_FAILED', `bulk upload "${entry.transfer.transferId}": content length ${String(declared)}, ${entry.transfer.byteLength} announced`, { nodeId: entry.nodeId });
      entry.deliver({ ok: false, error });
      return refuse(413, error.message);
    }
    try {
      const body = await readBody(socket, entry.transfer, { nodeId: entry.nodeId });
      socket.end(lineOf({ status: 200 }));
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
  private identityProblem(socket: net.Socket, claimed: unknown, nodeId: string): string | undefined {
    if (this.settings.tls?.clientCaPem !== undefined) {
      const certificate = (socket as tls.TLSSocket).getPeerCertificate();
      const names = Object.keys(certificate).length > 0 ? [...new Set(certificateNames(certificate))] : [];
      if (!names.includes(nodeId)) return `the token belongs to node "${nodeId}" but the client certificate names ${names.map((n) => `"${n}"`).join(', ') || 'no identity'}`;
      return undefined;
    }
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
