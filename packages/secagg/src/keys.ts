import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { SecAggError } from './errors';

// DER wrapper of a raw 32-byte X25519 private key (RFC 8410), so raw keys travel and KeyObjects compute.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const KEY_BYTES = 32;

/** An X25519 key pair as raw 32-byte strings, with the private key ready for key agreement. */
export interface RawKeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
  /**
   * The private key as a KeyObject: importing a raw key costs OpenSSL 3's decoder (about 1 ms,
   * far more than the agreement itself), so a holder of many agreements imports once.
   */
  readonly privateKeyObject: KeyObject;
}

/** A raw 32-byte X25519 key, or one already imported with {@link importPrivateKey} / {@link importPublicKey}. */
export type X25519Key = Uint8Array | KeyObject;

/** A fresh X25519 key pair. */
export function generateX25519(): RawKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { publicKey: Uint8Array.from(spki.subarray(spki.length - KEY_BYTES)), privateKey: Uint8Array.from(pkcs8.subarray(pkcs8.length - KEY_BYTES)), privateKeyObject: privateKey };
}

/**
 * The 32-byte key both ends of a pair derive: X25519 of one's private and the other's public key,
 * through HKDF-SHA-256 bound to the round's session id and to what the key is for (`purpose`).
 */
export function agreeKey(privateKey: X25519Key, peerPublicKey: X25519Key, sessionId: string, purpose: string): Uint8Array {
  const shared = diffieHellman({
    privateKey: privateKey instanceof Uint8Array ? importPrivateKey(privateKey) : privateKey,
    publicKey: peerPublicKey instanceof Uint8Array ? importPublicKey(peerPublicKey) : peerPublicKey,
  });
  return new Uint8Array(hkdfSync('sha256', shared, Buffer.from(sessionId, 'utf8'), Buffer.from(`fedbiomed-secagg ${purpose}`, 'utf8'), KEY_BYTES));
}

/** A raw X25519 private key as a KeyObject (slow: OpenSSL's PKCS#8 decoder; import once per key). */
export function importPrivateKey(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new SecAggError('MALFORMED', `an X25519 private key has ${KEY_BYTES} bytes, got ${raw.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** A raw X25519 public key as a KeyObject (through JWK: several times faster than an SPKI decode). */
export function importPublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new SecAggError('MALFORMED', `an X25519 public key has ${KEY_BYTES} bytes, got ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url') }, format: 'jwk' });
}
