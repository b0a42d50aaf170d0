import type { TransportError } from './errors';

/** What the node client logs when its session ends and it will dial again. */
export interface ReconnectNote {
  /** The researcher's `host:port`. */
  readonly address: string;
  readonly reason: TransportError;
  /** Whether the session had been accepted (lost) or never was (unreachable). */
  readonly wasConnected: boolean;
  /** 1-based number of the retry about to be scheduled. */
  readonly attempt: number;
  readonly retryInMs: number;
}

/** Socket error codes (`connect ECONNREFUSED …`) worth naming on their own. */
const SOCKET_ERROR = /\b(E[A-Z]{4,})\b/;

/**
 * The short cause of a failed or lost session: the socket error code when there is one
 * (`ECONNREFUSED`), else the reason without grpc-js's prefix and its empty "Resolution note".
 */
export function connectionCause(reason: TransportError): string {
  const socket = SOCKET_ERROR.exec(reason.message);
  if (socket?.[1]) return socket[1];
  const text = reason.message
    .replace(/^gRPC stream failed:\s*/, '')
    .replace(/\s*Resolution note:\s*$/, '')
    .trim();
  return text === '' ? reason.code : text;
}

/** The operator's line: `researcher at 127.0.0.1:50051 unreachable (ECONNREFUSED); retry 3 in 4.0 s`. */
export function reconnectMessage(note: ReconnectNote): string {
  const what = note.wasConnected ? `session with researcher at ${note.address} lost` : `researcher at ${note.address} unreachable`;
  return `${what} (${connectionCause(note.reason)}); retry ${note.attempt} in ${(note.retryInMs / 1000).toFixed(1)} s`;
}
