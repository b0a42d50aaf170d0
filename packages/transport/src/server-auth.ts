import { timingSafeEqual } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { checkProtocolVersion, PROTOCOL_VERSION, type Hello__Output } from '@fedbiomed/proto';
import { TransportError } from './errors';

/** How a researcher decides which nodes may open a session. */
export interface NodeAdmission {
  /**
   * Enrolment tokens: a list (any listed token admits any node) or a map node id → token (only the
   * listed nodes, each with its own token). Required when mutual TLS is off.
   */
  enrolmentTokens?: readonly string[] | Readonly<Record<string, string>>;
  /** When set, only these node ids are admitted. */
  allowedNodeIds?: readonly string[];
}

/** What the TLS layer tells about the peer. */
export interface PeerIdentity {
  /** Whether the researcher requires client certificates (mutual TLS). */
  mutualTls: boolean;
  /** The client certificate, present only when OpenSSL verified it against the researcher's CA. */
  certificate: PeerCertificate | undefined;
}

/**
 * Checks a node's `Hello`: protocol version, then node id admission, enrolment token and, under
 * mutual TLS, that the verified client certificate names the claimed node id (CN or a SAN entry).
 * Returns the refusal, or `undefined` when the node is admitted.
 */
export function checkHello(hello: Hello__Output, admission: NodeAdmission, peer: PeerIdentity): TransportError | undefined {
  const nodeId = hello.nodeId;
  const version = checkProtocolVersion(PROTOCOL_VERSION, hello.version, 'researcher');
  if (!version.compatible) return new TransportError('VERSION_MISMATCH', version.reason, { nodeId });
  if (nodeId === '') return new TransportError('MALFORMED', 'hello carries an empty node id');
  const tokens = admission.enrolmentTokens;
  const perNode = tokens !== undefined && !Array.isArray(tokens);
  if (
    (admission.allowedNodeIds && !admission.allowedNodeIds.includes(nodeId)) ||
    (perNode && !Object.hasOwn(tokens, nodeId))
  ) {
    return new TransportError('UNKNOWN_NODE', `node "${nodeId}" is not enrolled with this researcher`, { nodeId });
  }
  if (tokens !== undefined) {
    const accepted: readonly string[] = Array.isArray(tokens) ? tokens : [(tokens as Record<string, string>)[nodeId] ?? ''];
    if (hello.enrolmentToken === '') {
      return new TransportError('UNAUTHENTICATED', `node "${nodeId}" sent no enrolment token`, { nodeId });
    }
    if (!accepted.some((token) => sameSecret(token, hello.enrolmentToken))) {
      return new TransportError('UNAUTHENTICATED', `node "${nodeId}" sent a wrong enrolment token`, { nodeId });
    }
  }
  if (peer.mutualTls) {
    if (!peer.certificate) {
      return new TransportError(
        'UNAUTHENTICATED',
        `node "${nodeId}" presented no client certificate signed by the researcher's CA`,
        { nodeId },
      );
    }
    const names = certificateNames(peer.certificate);
    if (!names.includes(nodeId)) {
      return new TransportError(
        'UNAUTHENTICATED',
        `node claims id "${nodeId}" but its certificate names ${names.map((n) => `"${n}"`).join(', ') || 'no identity'}`,
        { nodeId },
      );
    }
  }
  return undefined;
}

/** The identities a certificate carries: its subject CN and its DNS / URI subject alternative names. */
export function certificateNames(certificate: PeerCertificate): string[] {
  const names: string[] = [];
  const cn = certificate.subject?.CN;
  if (typeof cn === 'string') names.push(cn);
  for (const entry of (certificate.subjectaltname ?? '').split(',')) {
    const match = /^\s*(DNS|URI):(.+)$/.exec(entry);
    if (match?.[2]) names.push(match[2].trim());
  }
  return names;
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
