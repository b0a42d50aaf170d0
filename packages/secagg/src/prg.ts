import { createCipheriv } from 'node:crypto';

// ChaCha20's 16-byte IV (32-bit counter and 96-bit nonce), all zero: safe because every seed keys one mask only.
const ZERO_IV = Buffer.alloc(16);
/**
 * Words of keystream generated per cipher call: 64 KiB, a whole number of 64-byte ChaCha20 blocks,
 * small enough that each chunk is folded in while still in the CPU cache, large enough that the
 * per-call overhead of node:crypto vanishes.
 */
const CHUNK_WORDS = 16_384;
const ZERO_CHUNK = Buffer.alloc(CHUNK_WORDS * 4);

/**
 * `into[i] += sign · PRG(seed)[i]` modulo 2^32, where PRG(seed) is the ChaCha20 keystream under the
 * 32-byte seed read as little-endian 32-bit words (RFC 8439's stream cipher, OpenSSL's through
 * node:crypto; faster than AES-256-CTR on machines whose AES instructions are busy or absent, and
 * as strong a PRG). The keystream is produced natively in cache-sized chunks and folded in as it
 * comes: no mask-sized buffer is allocated.
 */
export function addMaskFromSeed(into: Uint32Array, seed: Uint8Array, sign: 1 | -1): void {
  const cipher = createCipheriv('chacha20', seed, ZERO_IV);
  for (let start = 0; start < into.length; start += CHUNK_WORDS) {
    const words = Math.min(CHUNK_WORDS, into.length - start);
    addMask(into.subarray(start, start + words), asWords(cipher.update(ZERO_CHUNK.subarray(0, words * 4)), words), sign);
  }
  cipher.final();
}

/** `into[i] += sign · mask[i]` modulo 2^32. */
export function addMask(into: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  const n = into.length;
  if (sign === 1) for (let i = 0; i < n; i++) into[i] = ((into[i] as number) + (mask[i] as number)) >>> 0;
  else for (let i = 0; i < n; i++) into[i] = ((into[i] as number) - (mask[i] as number)) >>> 0;
}

/** A cipher output as words; a copy only if it is not 4-byte aligned (small Buffers may sit in a shared pool). */
function asWords(bytes: Buffer, words: number): Uint32Array {
  return bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, words) : new Uint32Array(Uint8Array.from(bytes).buffer);
}
