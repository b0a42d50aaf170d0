import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecAggError } from './errors';
import { agreeKey, type X25519Key } from './keys';
import type { EncryptedShare } from './messages';
import { SHARE_BYTES } from './shamir';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The two shares one node hands another. */
export interface SharePair {
  readonly selfMask: Uint8Array;
  readonly maskKey: Uint8Array;
}

/** Encrypts a share pair from `from` to `to` (AES-256-GCM, the route and session authenticated). */
export function sealShares(pair: SharePair, route: { sessionId: string; from: string; to: string }, cipherPrivateKey: X25519Key, recipientPublicKey: X25519Key): EncryptedShare {
  const key = agreeKey(cipherPrivateKey, recipientPublicKey, route.sessionId, 'share-encryption');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(route));
  const body = Buffer.concat([cipher.update(pair.selfMask), cipher.update(pair.maskKey), cipher.final()]);
  return { from: route.from, to: route.to, ciphertext: Uint8Array.from(Buffer.concat([iv, cipher.getAuthTag(), body])) };
}

/** Decrypts a share pair addressed to this node; a forged, altered or misrouted one fails. */
export function openShares(share: EncryptedShare, sessionId: string, cipherPrivateKey: X25519Key, senderPublicKey: X25519Key): SharePair {
  const bytes = Buffer.from(share.ciphertext);
  if (bytes.length !== IV_BYTES + TAG_BYTES + 2 * SHARE_BYTES) {
    throw new SecAggError('MALFORMED', `the share from "${share.from}" has ${bytes.length} bytes, expected ${IV_BYTES + TAG_BYTES + 2 * SHARE_BYTES}`);
  }
  const key = agreeKey(cipherPrivateKey, senderPublicKey, sessionId, 'share-encryption');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(associatedData({ sessionId, from: share.from, to: share.to }));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new SecAggError('DECRYPTION_FAILED', `the share from "${share.from}" to "${share.to}" failed authentication`, { cause: error });
  }
  return { selfMask: Uint8Array.from(plain.subarray(0, SHARE_BYTES)), maskKey: Uint8Array.from(plain.subarray(SHARE_BYTES)) };
}

function associatedData(route: { sessionId: string; from: string; to: string }): Buffer {
  return Buffer.from(JSON.stringify([route.sessionId, route.from, route.to]), 'utf8');
}
