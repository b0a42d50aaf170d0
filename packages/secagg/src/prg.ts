import { createCipheriv } from 'node:crypto';

const ZERO_IV = Buffer.alloc(16);

/**
 * Expands a 32-byte seed into `length` pseudo-random 32-bit words: the AES-256-CTR keystream under
 * the seed (a zero counter block is safe because every seed is used for one mask only).
 */
export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  const cipher = createCipheriv('aes-256-ctr', seed, ZERO_IV);
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
