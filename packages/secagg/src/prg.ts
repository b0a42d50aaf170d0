import { createCipheriv } from 'node:crypto';

// ChaCha20's 16-byte IV (32-bit counter and 96-bit nonce), all zero: safe because every seed keys one mask only.
const ZERO_IV = Buffer.alloc(16);

/**
 * Expands a 32-byte seed into `length` pseudo-random 32-bit words: the ChaCha20 keystream under
 * the seed (RFC 8439's stream cipher, OpenSSL's through node:crypto; faster than AES-256-CTR on
 * machines whose AES instructions are busy or absent, and as strong a PRG).
 */
export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  const cipher = createCipheriv('chacha20', seed, ZERO_IV);
  const stream = cipher.update(Buffer.alloc(length * 4));
  cipher.final();
  // Buffer.alloc results may share a pool slab; a fresh copy keeps the Uint32Array aligned.
  return stream.byteOffset % 4 === 0 ? new Uint32Array(stream.buffer, stream.byteOffset, length) : new Uint32Array(Uint8Array.from(stream).buffer);
}

/** `into[i] += sign · mask[i]` modulo 2^32 (a Uint32Array store wraps). */
export function addMask(into: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  if (sign === 1) for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) + (mask[i] as number);
  else for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) - (mask[i] as number);
}
