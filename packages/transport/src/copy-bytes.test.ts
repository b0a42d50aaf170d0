import { copyBytes } from './copy-bytes';
import { patternBytes } from './__fixtures__/harness';

describe('copyBytes', () => {
  it.each([
    ['plain', 'plain'],
    ['plain', 'shared'],
    ['shared', 'plain'],
    ['shared', 'shared'],
  ])('copies %s into %s memory at any alignment', (from, to) => {
    const make = (kind: string, length: number) => (kind === 'shared' ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length));
    for (const [sourceOffset, targetOffset] of [
      [0, 0],
      [5, 0],
      [3, 7],
    ] as const) {
      const source = make(from, 70_000);
      source.set(patternBytes(70_000, sourceOffset + 1));
      const target = make(to, 70_010);
      copyBytes(target.subarray(targetOffset, targetOffset + 60_000), source.subarray(sourceOffset, sourceOffset + 60_000));
      expect(Buffer.from(target.subarray(targetOffset, targetOffset + 60_000)).equals(source.subarray(sourceOffset, sourceOffset + 60_000))).toBe(true);
      expect(target[targetOffset + 60_000]).toBe(0); // nothing written past the range
    }
  });

  it('refuses different lengths and copies nothing for empty ranges', () => {
    expect(() => copyBytes(new Uint8Array(3), new Uint8Array(4))).toThrow(RangeError);
    expect(() => copyBytes(new Uint8Array(0), new Uint8Array(0))).not.toThrow();
  });
});
