import { createHash, type Hash } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import type { TensorHeader__Output } from '@fedbiomed/proto';

/**
 * The integrity check a sender declares in each tensor header. `chunk-crc32c` (the default): every
 * chunk carries the CRC-32C of its own bytes, computed as it is sent, so no pass over the tensor
 * delays its first chunk; with the header's length and the chunks' offsets it covers the whole tensor
 * against corruption and truncation. `crc32c`: one CRC-32C of the whole tensor in the header (what
 * senders before `chunk_crc32c` existed send). `sha256` also resists deliberate tampering, which
 * matters only where the link itself is not authenticated (no TLS); `both` sets both whole-tensor digests.
 */
export type TensorIntegrity = 'chunk-crc32c' | 'crc32c' | 'sha256' | 'both';

/** Every {@link TensorIntegrity}, for argument checks. */
export const TENSOR_INTEGRITIES: readonly TensorIntegrity[] = ['chunk-crc32c', 'crc32c', 'sha256', 'both'];

/** Integrity check of {@link packTensors} when none is given. */
export const DEFAULT_TENSOR_INTEGRITY: TensorIntegrity = 'chunk-crc32c';

/** node:crypto refuses a single `update` over 2 GiB, and a Buffer may not exceed 4 GiB: digest in slices. */
const DIGEST_SLICE_BYTES = 256 * 2 ** 20;

/** The digests a header declares: `sha256` (32 bytes, or empty when absent) and `crc32c`. */
export interface TensorDigests {
  sha256: Buffer;
  crc32c?: number;
}

/**
 * Digests bytes fed in order, as chunks arrive or slice by slice, computing only the checks asked for,
 * so a receiver verifies a tensor in the same pass that copies it.
 */
export class TensorDigester {
  private readonly hash: Hash | undefined;
  private crc: number | undefined;

  constructor(checks: { sha256: boolean; crc32c: boolean }) {
    this.hash = checks.sha256 ? createHash('sha256') : undefined;
    this.crc = checks.crc32c ? 0 : undefined;
  }

  update(data: Uint8Array): void {
    for (let offset = 0; offset < data.byteLength; offset += DIGEST_SLICE_BYTES) {
      const slice = data.subarray(offset, offset + DIGEST_SLICE_BYTES);
      this.hash?.update(slice);
      if (this.crc !== undefined) this.crc = crc32c(slice, this.crc);
    }
  }

  digest(): TensorDigests {
    return { sha256: this.hash?.digest() ?? Buffer.alloc(0), ...(this.crc !== undefined && { crc32c: this.crc }) };
  }

  /** The whole-tensor digests of `data` under `integrity` (none for `chunk-crc32c`). */
  static of(data: Uint8Array, integrity: TensorIntegrity): TensorDigests {
    if (integrity === 'chunk-crc32c') return { sha256: Buffer.alloc(0) };
    const digester = new TensorDigester({ sha256: integrity !== 'crc32c', crc32c: integrity !== 'sha256' });
    digester.update(data);
    return digester.digest();
  }

  /** A digester for the checks `header` declares. */
  static for(header: TensorHeader__Output): TensorDigester {
    return new TensorDigester({ sha256: header.sha256.byteLength > 0, crc32c: header.crc32c !== undefined });
  }
}

/** Why `actual` does not match what `header` declares, or `undefined` when it matches. */
export function digestMismatch(header: TensorHeader__Output, actual: TensorDigests): string | undefined {
  if (header.sha256.byteLength > 0 && !actual.sha256.equals(header.sha256)) return 'SHA-256 mismatch';
  if (header.crc32c !== undefined && actual.crc32c !== header.crc32c) {
    return `CRC-32C mismatch (declared ${hex(header.crc32c)}, received bytes give ${hex(actual.crc32c ?? 0)})`;
  }
  return undefined;
}

/**
 * Why a chunk fails its tensor's per-chunk check, or `undefined` when it passes (or the header does
 * not ask for one).
 */
export function chunkMismatch(header: TensorHeader__Output, chunk: { data: Uint8Array; crc32c?: number | null }): string | undefined {
  if (!header.chunkCrc32c) return undefined;
  if (chunk.crc32c == null) return 'chunk without the CRC-32C its header requires';
  return chunkCrcMismatch(chunk.crc32c, crc32c(chunk.data));
}

/** Why a chunk declaring CRC-32C `declared` whose bytes give `actual` fails, or `undefined` when they agree. */
export function chunkCrcMismatch(declared: number, actual: number): string | undefined {
  return actual === declared ? undefined : `chunk CRC-32C mismatch (declared ${hex(declared)}, received bytes give ${hex(actual)})`;
}

/** The CRC-32C a sender puts in a chunk of a tensor whose header sets `chunk_crc32c`. */
export function chunkCrc32c(data: Uint8Array): number {
  return crc32c(data);
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
