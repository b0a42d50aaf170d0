import type { TensorHeader__Output } from '@fedbiomed/proto';
import { createHash } from 'node:crypto';
import { chunkMismatch, digestMismatch, TensorDigester } from './integrity';
import { packTensors } from './tensor';

const CHECK_INPUT = Buffer.from('123456789');
const header = (digests: Partial<TensorHeader__Output>): TensorHeader__Output => ({
  name: 'w',
  dtype: 'DTYPE_UINT8',
  shape: [9],
  byteLength: 9,
  sha256: Buffer.alloc(0),
  chunkCrc32c: false,
  ...digests,
});

describe('tensor integrity', () => {
  it('computes the standard CRC-32C check value and SHA-256, in one pass or chunk by chunk', () => {
    const whole = TensorDigester.of(CHECK_INPUT, 'both');
    expect(whole.crc32c).toBe(0xe3069283);
    expect(whole.sha256).toEqual(createHash('sha256').update(CHECK_INPUT).digest());
    const streamed = new TensorDigester({ sha256: true, crc32c: true });
    [CHECK_INPUT.subarray(0, 4), CHECK_INPUT.subarray(4)].forEach((chunk) => streamed.update(chunk));
    expect(streamed.digest()).toEqual(whole);
  });

  it('packs per-chunk CRC-32C by default (no pass over the tensor) and only the digests asked for', () => {
    const tensors = [{ name: 'w', dtype: 'DTYPE_UINT8' as const, shape: [9], data: CHECK_INPUT }];
    const byDefault = packTensors(tensors).set.tensors?.[0];
    expect(byDefault).toMatchObject({ chunkCrc32c: true, sha256: Buffer.alloc(0) });
    expect(byDefault?.crc32c).toBeUndefined();
    expect(packTensors(tensors, { integrity: 'crc32c' }).set.tensors?.[0]).toMatchObject({ crc32c: 0xe3069283, sha256: Buffer.alloc(0) });
    const sha = packTensors(tensors, { integrity: 'sha256' }).set.tensors?.[0];
    expect(sha?.crc32c).toBeUndefined();
    expect(sha?.sha256).toHaveLength(32);
    expect(packTensors(tensors, 'legacy-id').set.transferId).toBe('legacy-id');
    expect(() => packTensors(tensors, { integrity: 'md5' as 'sha256' })).toThrow('integrity must be one of chunk-crc32c, crc32c, sha256, both, got md5');
  });

  it('checks every digest a header declares, so a sha256-only sender still interoperates', () => {
    const both = TensorDigester.of(CHECK_INPUT, 'both');
    expect(digestMismatch(header({ sha256: both.sha256 }), TensorDigester.for(header({ sha256: both.sha256 })).digest())).toBe('SHA-256 mismatch');
    const shaOnly = header({ sha256: both.sha256 });
    const digester = TensorDigester.for(shaOnly);
    digester.update(CHECK_INPUT);
    expect(digestMismatch(shaOnly, digester.digest())).toBeUndefined();
    expect(digestMismatch(header({ sha256: both.sha256, crc32c: 1 }), both)).toBe('CRC-32C mismatch (declared 00000001, received bytes give e3069283)');
  });

  it('checks a chunk against its own CRC-32C only when the header asks for per-chunk checks', () => {
    const perChunk = header({ chunkCrc32c: true });
    expect(chunkMismatch(perChunk, { data: CHECK_INPUT, crc32c: 0xe3069283 })).toBeUndefined();
    expect(chunkMismatch(perChunk, { data: CHECK_INPUT, crc32c: 7 })).toBe('chunk CRC-32C mismatch (declared 00000007, received bytes give e3069283)');
    expect(chunkMismatch(perChunk, { data: CHECK_INPUT })).toBe('chunk without the CRC-32C its header requires');
    expect(chunkMismatch(header({ crc32c: 0xe3069283 }), { data: CHECK_INPUT })).toBeUndefined();
  });
});
