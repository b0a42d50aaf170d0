import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { SecAggError } from './errors';

// DER wrappers of a raw 32-byte X25519 key (RFC 8410), so raw keys travel and KeyObjects compute.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const KEY_BYTES = 32;

/** An X25519 key pair as raw 32-byte strings. */
export interface RawKeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

/** A fresh X25519 key pair. */
export function generateX25519(): RawKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { publicKey: Uint8Array.from(spki.subarray(spki.length - KEY_BYTES)), privateKey: Uint8Array.from(pkcs8.subarray(pkcs8.length - KEY_BYTES)) };
}

/**
 * The 32-byte key both ends of a pair derive: X25519 of one's private and the other's public key,
 * through HKDF-SHA-256 bound to the round's session id and to what the key is for (`purpose`).
 */
export function agreeKey(privateKey: Uint8Array, peerPublicKey: Uint8Array, sessionId: string, purpose: string): Uint8Array {
  const shared = diffieHellman({ privateKey: privateKeyObject(privateKey), publicKey: publicKeyObject(peerPublicKey) });
  return new Uint8Array(hkdfSync('sha256', shared, Buffer.from(sessionId, 'utf8'), Buffer.from(`fedbiomed-secagg ${purpose}`, 'utf8'), KEY_BYTES));
}

function privateKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new SecAggError('MALFORMED', `an X25519 private key has ${KEY_BYTES} bytes, got ${raw.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new SecAggError('MALFORMED', `an X25519 public key has ${KEY_BYTES} bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}
