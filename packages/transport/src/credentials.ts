import { ChannelCredentials, ServerCredentials, experimental, type ChannelOptions } from '@grpc/grpc-js';

/** TLS for the researcher's port. */
export interface ServerTlsOptions {
  /** The researcher's certificate (PEM), chained to the CA nodes trust. */
  certPem: string;
  keyPem: string;
  /**
   * CA (PEM) whose node certificates are accepted: turns on mutual TLS. A node must then present a
   * certificate signed by this CA whose CN or SAN is its node id.
   */
  clientCaPem?: string;
}

/** TLS for a node's connection to the researcher. */
export interface ClientTlsOptions {
  /** CA (PEM) that signed the researcher's certificate. */
  caPem: string;
  /** The node's certificate and key (PEM), for mutual TLS. */
  certPem?: string;
  keyPem?: string;
  /** Name to check the researcher's certificate against when it differs from the address host. */
  serverName?: string;
}

/**
 * Server credentials. Under mutual TLS the client certificate is requested and verified by OpenSSL
 * against `clientCaPem`, but a failed verification does not abort the handshake: the session then
 * sees no verified certificate and refuses the node with an `Error` frame naming the reason, which a
 * handshake failure could not carry.
 */
export function serverCredentials(tls: ServerTlsOptions | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const identity = staticProvider({ certificate: Buffer.from(tls.certPem), privateKey: Buffer.from(tls.keyPem) });
  if (tls.clientCaPem === undefined) {
    return ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }], false);
  }
  const ca = staticProvider(undefined, { caCertificate: Buffer.from(tls.clientCaPem) });
  return experimental.createCertificateProviderServerCredentials(identity, ca, false);
}

/** Channel credentials and the options they need (target name override). */
export function clientCredentials(tls: ClientTlsOptions | undefined): { credentials: ChannelCredentials; options: ChannelOptions } {
  if (!tls) return { credentials: ChannelCredentials.createInsecure(), options: {} };
  if ((tls.certPem === undefined) !== (tls.keyPem === undefined)) {
    throw new TypeError('NodeClient: tls.certPem and tls.keyPem must be given together');
  }
  const credentials = ChannelCredentials.createSsl(
    Buffer.from(tls.caPem),
    tls.keyPem === undefined ? null : Buffer.from(tls.keyPem),
    tls.certPem === undefined ? null : Buffer.from(tls.certPem),
  );
  const options: ChannelOptions = tls.serverName ? { 'grpc.ssl_target_name_override': tls.serverName } : {};
  return { credentials, options };
}

/**
 * A certificate provider serving fixed PEMs. Listeners are called asynchronously, as grpc-js's own
 * providers do: the server registers its watcher only after adding the listener.
 */
function staticProvider(
  identity: experimental.IdentityCertificateUpdate | undefined,
  ca?: experimental.CaCertificateUpdate,
): experimental.CertificateProvider {
  return {
    addCaCertificateListener: (listener) => queueMicrotask(() => listener(ca ?? null)),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener) => queueMicrotask(() => listener(identity ?? null)),
    removeIdentityCertificateListener: () => undefined,
  };
}
