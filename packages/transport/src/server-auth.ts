import { createHash, timingSafeEqual } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { checkProtocolVersion, PROTOCOL_VERSION, type Hello__Output } from '@fedbiomed/proto';
import { TransportError } from './errors';

/** How a researcher decides which nodes may open a session. */
export interface NodeAdmission {
  /**
   * Enrolment tokens: a list (any listed token admits any node) or a map node id → token (only the
   * listed nodes, each with its own token). Required when mutual TLS is off. An entry may be the
   * token's hash as {@link hashEnrolmentToken} writes it (`sha256:<64 hex>`), so a researcher's
   * config need not hold the token itself; the server keeps only hashes either way.
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
    if (!matchesAnyToken(accepted, hello.enrolmentToken)) {
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

const HASHED_TOKEN = /^sha256:([0-9a-f]{64})$/;

/**
 * The form in which a researcher keeps an enrolment token: `sha256:` and the hex SHA-256 of its
 * UTF-8 bytes (what `printf %s "$TOKEN" | sha256sum` prints). Give it in place of the token in
 * `enrolmentTokens` (or `fedbiomed researcher start --token`) to keep the token itself out of configs.
 */
export function hashEnrolmentToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** `entry` as a hash: kept when it already is one, hashed otherwise. */
function asHashedToken(entry: string): string {
  if (entry.startsWith('sha256:') && !HASHED_TOKEN.test(entry)) {
    throw new TypeError(`enrolment token "${entry.slice(0, 16)}…" starts with sha256: but is not sha256: followed by 64 lowercase hex digits`);
  }
  return HASHED_TOKEN.test(entry) ? entry : hashEnrolmentToken(entry);
}

/**
 * `admission` with every enrolment token replaced by its hash ({@link hashEnrolmentToken}), so the
 * server never holds a token. Throws a `TypeError` naming a malformed `sha256:` entry.
 */
export function hashAdmissionTokens(admission: NodeAdmission): NodeAdmission {
  const tokens = admission.enrolmentTokens;
  if (tokens === undefined) return admission;
  const hashed = Array.isArray(tokens)
    ? (tokens as readonly string[]).map(asHashedToken)
    : Object.fromEntries(Object.entries(tokens as Record<string, string>).map(([id, token]) => [id, asHashedToken(token)]));
  return { ...admission, enrolmentTokens: hashed };
}

/**
 * Whether `given` hashes to one of `accepted` (each a plain token or its `sha256:` hash). Both sides
 * are compared as 32-byte digests with `timingSafeEqual`, and every entry is compared, so the time
 * taken tells neither a token's length nor how many of its bytes matched nor which entry did.
 */
function matchesAnyToken(accepted: readonly string[], given: string): boolean {
  const digest = Buffer.from(hashEnrolmentToken(given).slice('sha256:'.length), 'hex');
  let matched = false;
  for (const entry of accepted) {
    const expected = Buffer.from(asHashedToken(entry).slice('sha256:'.length), 'hex');
    // Non-short-circuiting OR: no early exit on the first match.
    matched = timingSafeEqual(expected, digest) || matched;
  }
  return matched;
}
