import { createHash, type Hash } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import type { TensorHeader__Output } from '@fedbiomed/proto';

/**
 * The per-tensor integrity check a sender puts in each header. `crc32c` (the default) catches
 * corruption and truncation at memory speed; `sha256` also resists deliberate tampering, which matters
 * only where the link itself is not authenticated (no TLS); `both` sets both digests.
 */
export type TensorIntegrity = 'crc32c' | 'sha256' | 'both';

/** Integrity check of {@link packTensors} when none is given. */
export const DEFAULT_TENSOR_INTEGRITY: TensorIntegrity = 'crc32c';

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

  /** The digests of `data` under `integrity`. */
  static of(data: Uint8Array, integrity: TensorIntegrity): TensorDigests {
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

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
