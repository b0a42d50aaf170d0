import { status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import { ErrorCode, type ErrorCode__Output } from '@fedbiomed/proto';

/** Every way a transport operation can fail. */
export const TransportErrorCode = {
  /** The peer cannot be reached, or the connection was lost. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The addressed node is not connected to this researcher. */
  NODE_OFFLINE: 'NODE_OFFLINE',
  /** The node is not allowed by the researcher. */
  UNKNOWN_NODE: 'UNKNOWN_NODE',
  /** Missing or wrong enrolment token, or a certificate that does not match the claimed node id. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The peers speak different protocol major versions. */
  VERSION_MISMATCH: 'VERSION_MISMATCH',
  /** A reply or cancel names a request this side does not know (late, duplicate or forged). */
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  /** A frame does not follow the contract. */
  MALFORMED: 'MALFORMED',
  /** A tensor transfer was cut, or failed its length or digest check. */
  TRANSFER_FAILED: 'TRANSFER_FAILED',
  TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CANCELLED',
  /** The node answered the request with an error reply; `remoteCode` holds its code. */
  REMOTE_ERROR: 'REMOTE_ERROR',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  INTERNAL: 'INTERNAL',
} as const;

export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

/** Context attached to a {@link TransportError}. */
export interface TransportErrorContext {
  nodeId?: string;
  requestId?: string;
  /** The wire code a remote peer sent, for `REMOTE_ERROR` and refusals. */
  remoteCode?: ErrorCode__Output;
  cause?: unknown;
}

/** The one error class of `@fedbiomed/transport`. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code: TransportErrorCode;
  readonly nodeId: string | undefined;
  readonly requestId: string | undefined;
  readonly remoteCode: ErrorCode__Output | undefined;

  constructor(code: TransportErrorCode, message: string, context: TransportErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.nodeId = context.nodeId;
    this.requestId = context.requestId;
    this.remoteCode = context.remoteCode;
  }
}

const TO_WIRE: Record<TransportErrorCode, ErrorCode__Output> = {
  UNAVAILABLE: ErrorCode.ERROR_CODE_INTERNAL,
  NODE_OFFLINE: ErrorCode.ERROR_CODE_UNKNOWN_NODE,
  UNKNOWN_NODE: ErrorCode.ERROR_CODE_UNKNOWN_NODE,
  UNAUTHENTICATED: ErrorCode.ERROR_CODE_UNAUTHENTICATED,
  VERSION_MISMATCH: ErrorCode.ERROR_CODE_VERSION_MISMATCH,
  UNKNOWN_REQUEST: ErrorCode.ERROR_CODE_MALFORMED,
  MALFORMED: ErrorCode.ERROR_CODE_MALFORMED,
  TRANSFER_FAILED: ErrorCode.ERROR_CODE_TRANSFER_FAILED,
  TIMEOUT: ErrorCode.ERROR_CODE_TIMEOUT,
  CANCELLED: ErrorCode.ERROR_CODE_CANCELLED,
  REMOTE_ERROR: ErrorCode.ERROR_CODE_INTERNAL,
  SHUTTING_DOWN: ErrorCode.ERROR_CODE_SHUTTING_DOWN,
  INTERNAL: ErrorCode.ERROR_CODE_INTERNAL,
};

const FROM_WIRE: Partial<Record<ErrorCode__Output, TransportErrorCode>> = {
  ERROR_CODE_VERSION_MISMATCH: 'VERSION_MISMATCH',
  ERROR_CODE_UNAUTHENTICATED: 'UNAUTHENTICATED',
  ERROR_CODE_UNKNOWN_NODE: 'UNKNOWN_NODE',
  ERROR_CODE_MALFORMED: 'MALFORMED',
  ERROR_CODE_TRANSFER_FAILED: 'TRANSFER_FAILED',
  ERROR_CODE_TIMEOUT: 'TIMEOUT',
  ERROR_CODE_CANCELLED: 'CANCELLED',
  ERROR_CODE_SHUTTING_DOWN: 'SHUTTING_DOWN',
};

/** The wire `ErrorCode` an error travels as in an `Error` frame or error reply. */
export function toWireCode(error: unknown): ErrorCode__Output {
  if (error instanceof TransportError) return error.remoteCode ?? TO_WIRE[error.code];
  return ErrorCode.ERROR_CODE_INTERNAL;
}

/** The transport code a session-level `Error` frame from the peer maps to. */
export function fromWireCode(code: ErrorCode__Output): TransportErrorCode {
  return FROM_WIRE[code] ?? 'REMOTE_ERROR';
}

const TO_STATUS: Record<TransportErrorCode, GrpcStatus> = {
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  NODE_OFFLINE: GrpcStatus.UNAVAILABLE,
  UNKNOWN_NODE: GrpcStatus.PERMISSION_DENIED,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  VERSION_MISMATCH: GrpcStatus.FAILED_PRECONDITION,
  UNKNOWN_REQUEST: GrpcStatus.INVALID_ARGUMENT,
  MALFORMED: GrpcStatus.INVALID_ARGUMENT,
  TRANSFER_FAILED: GrpcStatus.DATA_LOSS,
  TIMEOUT: GrpcStatus.DEADLINE_EXCEEDED,
  CANCELLED: GrpcStatus.CANCELLED,
  REMOTE_ERROR: GrpcStatus.UNKNOWN,
  SHUTTING_DOWN: GrpcStatus.UNAVAILABLE,
  INTERNAL: GrpcStatus.INTERNAL,
};

/** Maps an error to the gRPC status a session ends with; the one place transport codes meet gRPC. */
export function toGrpcStatus(error: TransportError): Partial<StatusObject> {
  return { code: TO_STATUS[error.code], details: error.message };
}

/** `error` itself when it is a transport error, else an `INTERNAL` one carrying it (an unexpected throw). */
export function asTransportError(error: unknown, context: Omit<TransportErrorContext, 'cause'> = {}): TransportError {
  return error instanceof TransportError ? error : new TransportError('INTERNAL', String(error), { ...context, cause: error });
}

/** Wraps a gRPC stream failure (no `Error` frame received) as a transport error. */
export function fromGrpcError(error: unknown, context: TransportErrorContext = {}): TransportError {
  if (error instanceof TransportError) return error;
  const status = (error as Partial<StatusObject> | undefined)?.code;
  const details = (error as Partial<StatusObject> | undefined)?.details ?? String(error);
  let code: TransportErrorCode = 'UNAVAILABLE';
  if (status === GrpcStatus.UNAUTHENTICATED) code = 'UNAUTHENTICATED';
  else if (status === GrpcStatus.INVALID_ARGUMENT || status === GrpcStatus.RESOURCE_EXHAUSTED) code = 'MALFORMED';
  else if (status === GrpcStatus.INTERNAL) code = 'INTERNAL';
  return new TransportError(code, `gRPC stream failed: ${details}`, { ...context, cause: error });
}
