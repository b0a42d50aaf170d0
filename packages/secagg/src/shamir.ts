import { randomBytes } from 'node:crypto';
import { SecAggError } from './errors';

/**
 * The field of Shamir's scheme: the Mersenne prime 2^521 − 1, larger than any 32-byte secret
 * (X25519 private keys and mask seeds), so a secret is one field element.
 */
export const SHAMIR_PRIME = (1n << 521n) - 1n;
/** Bytes of one share's y coordinate. */
export const SHARE_BYTES = 66;
const SECRET_BYTES = 32;

/** One point of a secret's polynomial: holder index `x` ≥ 1 and `y` as {@link SHARE_BYTES} big-endian bytes. */
export interface Share {
  readonly x: number;
  readonly y: Uint8Array;
}

/**
 * Splits a 32-byte secret into one share per `xs` entry, any `threshold` of which rebuild it and
 * fewer of which reveal nothing (a random polynomial of degree threshold − 1 over the field).
 */
export function splitSecret(secret: Uint8Array, threshold: number, xs: readonly number[]): Share[] {
  if (secret.length !== SECRET_BYTES) throw new SecAggError('INVALID_PARAMETERS', `a shared secret has ${SECRET_BYTES} bytes, got ${secret.length}`);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > xs.length) {
    throw new SecAggError('INVALID_PARAMETERS', `threshold ${threshold} must lie in [1, ${xs.length}] (the number of share holders)`);
  }
  const coefficients = [toBigInt(secret)];
  for (let i = 1; i < threshold; i++) coefficients.push(toBigInt(randomBytes(SHARE_BYTES + 16)) % SHAMIR_PRIME);
  return xs.map((x) => {
    let y = 0n;
    const bx = BigInt(x);
    for (let i = coefficients.length - 1; i >= 0; i--) y = (y * bx + (coefficients[i] as bigint)) % SHAMIR_PRIME;
    return { x, y: toBytes(y, SHARE_BYTES) };
  });
}

/** Rebuilds the secret from at least `threshold` distinct shares (Lagrange interpolation at 0). */
export function combineShares(shares: readonly Share[], threshold: number): Uint8Array {
  const distinct = new Map(shares.map((share) => [share.x, share]));
  if (distinct.size < threshold) {
    throw new SecAggError('TOO_MANY_DROPOUTS', `${distinct.size} distinct share(s) at hand, the threshold is ${threshold}`);
  }
  const points = [...distinct.values()].slice(0, threshold).map((share) => ({ x: BigInt(share.x), y: toBigInt(share.y) }));
  // Σ yᵢ·nᵢ/dᵢ = (Σ yᵢ·nᵢ·Πⱼ≠ᵢ dⱼ) / Π dⱼ: the products of the other denominators come from prefix
  // and suffix products, so the whole interpolation costs one modular inversion.
  const terms = points.map((pi, i) => {
    let numerator = pi.y;
    let denominator = 1n;
    for (const [j, pj] of points.entries()) {
      if (i === j) continue;
      numerator = (numerator * (SHAMIR_PRIME - pj.x)) % SHAMIR_PRIME;
      denominator = (denominator * ((pi.x - pj.x + SHAMIR_PRIME) % SHAMIR_PRIME)) % SHAMIR_PRIME;
    }
    return { numerator, denominator };
  });
  const suffix: bigint[] = new Array<bigint>(terms.length + 1).fill(1n);
  for (let i = terms.length - 1; i >= 0; i--) suffix[i] = ((suffix[i + 1] as bigint) * (terms[i] as { denominator: bigint }).denominator) % SHAMIR_PRIME;
  const common = suffix[0] as bigint;
  let prefix = 1n;
  let sum = 0n;
  terms.forEach((term, i) => {
    sum = (sum + ((term.numerator * ((prefix * (suffix[i + 1] as bigint)) % SHAMIR_PRIME)) % SHAMIR_PRIME)) % SHAMIR_PRIME;
    prefix = (prefix * term.denominator) % SHAMIR_PRIME;
  });
  const secret = (sum * modInverse(common)) % SHAMIR_PRIME;
  if (secret >= 1n << BigInt(SECRET_BYTES * 8)) throw new SecAggError('MALFORMED', 'the shares do not rebuild a 32-byte secret: at least one share is corrupt');
  return toBytes(secret, SECRET_BYTES);
}

/** value⁻¹ mod p by the extended Euclidean algorithm (value ≠ 0 mod p: the x are distinct). */
function modInverse(value: bigint): bigint {
  let [r0, r1] = [SHAMIR_PRIME, ((value % SHAMIR_PRIME) + SHAMIR_PRIME) % SHAMIR_PRIME];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return ((t0 % SHAMIR_PRIME) + SHAMIR_PRIME) % SHAMIR_PRIME;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

function toBytes(value: bigint, length: number): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex'));
}
