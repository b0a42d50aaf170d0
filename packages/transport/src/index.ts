/**
 * gRPC transport of Fed-BioMed TS: the researcher's server, the node's client, chunked tensor
 * streams with integrity checks, TLS / mutual TLS, heartbeats and reconnection.
 * @packageDocumentation
 */

/**** Researcher side ****/
export { DEFAULT_MAX_PENDING_SESSIONS, isLoopbackHost, ResearcherServer } from './server';
export type {
  NodeInfo,
  NodeOutcome,
  NodeReply,
  RequestOptions,
  ResearcherServerEvents,
  ResearcherServerOptions,
} from './server';
export { hashEnrolmentToken } from './server-auth';
export type { NodeAdmission } from './server-auth';

/**** Node side ****/
export { NodeClient } from './client';
export type { NodeClientEvents, NodeClientOptions } from './client';
export type { HandlerResult, RequestContext, RequestHandler } from './client-session';

/**** Bulk tensor channel ****/
export { BULK_CAPABILITY } from './bulk-body';
export { DEFAULT_BULK_MIN_BYTES, DEFAULT_BULK_TOKEN_TTL_MS } from './bulk-server';
export type { BulkChannelOptions } from './bulk-server';

/**** Tensors ****/
export { asFloat32Array, dtypeByteSize, expectedByteLength, float32Tensor, packTensors } from './tensor';
export type { PackTensorsOptions, Tensor, TensorPayload } from './tensor';
export { DEFAULT_TENSOR_INTEGRITY } from './integrity';
export type { TensorIntegrity } from './integrity';
export type { ReceivedTensors } from './tensor-receiver';

/**** Security ****/
export { createCertificateAuthority, issueCertificate, writePemPair } from './pki';
export type { CertificateAuthorityOptions, IssueOptions, PemPair, WritePemPairOptions } from './pki';
export type { ClientTlsOptions, ServerTlsOptions } from './credentials';

/**** Errors, logging, timing ****/
export { TransportError, TransportErrorCode } from './errors';
export type { TransportErrorContext } from './errors';
export type { Logger } from './logger';
export type { Clock } from './clock';
export { backoffDelayMs, DEFAULT_BACKOFF } from './backoff';
export { addSharedAbortListener } from './shared-abort-signal';
export type { BackoffOptions } from './backoff';
export type { Unsubscribe } from './events';
export {
  DEFAULT_CHUNK_SIZE_BYTES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_TRANSFER_BYTES,
} from './options';
export { MISSED_HEARTBEATS_LIMIT } from './heartbeat';
