import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { ChunkCopier } from './chunk-copier';
import { patternBytes } from './__fixtures__/harness';

const sharedBytes = (length: number) => new Uint8Array(new SharedArrayBuffer(length));

describe('ChunkCopier', () => {
  it('copies chunks into a shared tensor on its thread, in order, answering each with its CRC-32C', async () => {
    const copier = ChunkCopier.shared();
    const tensor = sharedBytes(300_000);
    const chunks = [0, 1, 2].map((i) => {
      const chunk = sharedBytes(100_000);
      chunk.set(patternBytes(100_000, i + 1));
      return chunk;
    });
    const crcs = await Promise.all(chunks.map((chunk, i) => copier.copy(tensor.subarray(i * 100_000, (i + 1) * 100_000), chunk)));
    expect(crcs).toEqual(chunks.map((chunk) => crc32c(Buffer.from(chunk))));
    expect(Buffer.from(tensor).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('takes only same-length views of shared memory', () => {
    expect(ChunkCopier.accepts(sharedBytes(8), sharedBytes(8))).toBe(true);
    expect(ChunkCopier.accepts(new Uint8Array(8), sharedBytes(8))).toBe(false);
    expect(ChunkCopier.accepts(sharedBytes(8), new Uint8Array(8))).toBe(false);
    expect(ChunkCopier.accepts(sharedBytes(8), sharedBytes(9))).toBe(false);
  });

  it('rejects copies not answered when its thread stops, and the next user gets a fresh copier', async () => {
    const copier = ChunkCopier.shared();
    const pending = expect(copier.copy(sharedBytes(1 << 20), sharedBytes(1 << 20))).rejects.toThrow('the chunk copier is closed');
    await copier.close();
    await pending;
    await expect(copier.copy(sharedBytes(4), sharedBytes(4))).rejects.toThrow('the chunk copier is closed');
    const next = ChunkCopier.shared();
    expect(next).not.toBe(copier);
    const source = sharedBytes(4);
    source.set([1, 2, 3, 4]);
    await expect(next.copy(sharedBytes(4), source)).resolves.toBe(crc32c(Buffer.from([1, 2, 3, 4])));
  });

  it('keeps a process alive while copies are in flight, and not once idle (a real process, from the build)', () => {
    const built = path.join(__dirname, '..', 'dist', 'chunk-copier.js');
    const script = `
      const { ChunkCopier } = require(${JSON.stringify(built)});
      const bytes = new Uint8Array(new SharedArrayBuffer(1 << 20)).fill(9);
      ChunkCopier.shared().copy(new Uint8Array(new SharedArrayBuffer(1 << 20)), bytes).then((crc) => console.log('copied', crc));`;
    // Without the ref while copying the process would exit before printing; without the unref once idle it would never exit.
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(output.trim()).toBe(`copied ${crc32c(Buffer.alloc(1 << 20, 9))}`);
  });
});
