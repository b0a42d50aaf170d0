import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

const DATA = join(WORKSPACE_ROOT, 'data');

function checksums(): Map<string, string> {
  const lines = readFileSync(join(DATA, 'SHA256SUMS'), 'utf8').trim().split('\n');
  return new Map(lines.map((line) => {
    const [hash, file] = line.split(/\s+/);
    return [file!, hash!];
  }));
}

describe('bundled datasets (data/)', () => {
  it('every file matches the checksum in SHA256SUMS, and every file is listed', () => {
    const listed = checksums();
    const onDisk = readdirSync(DATA, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((dir) => readdirSync(join(DATA, dir.name)).filter((f) => f !== 'SOURCE.md').map((f) => `${dir.name}/${f}`));
    expect([...listed.keys()].sort()).toEqual(onDisk.sort());
    for (const [file, hash] of listed) {
      expect({ file, hash: createHash('sha256').update(readFileSync(join(DATA, file))).digest('hex') }).toEqual({ file, hash });
    }
  });

  it('every dataset folder has a SOURCE.md naming its origin and licence', () => {
    for (const dir of readdirSync(DATA, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      const source = readFileSync(join(DATA, dir.name, 'SOURCE.md'), 'utf8');
      expect({ dir: dir.name, origin: /came from|Source|Repository/i.test(source), licence: /licen[cs]e/i.test(source) }).toEqual({ dir: dir.name, origin: true, licence: true });
    }
  });

  it('nothing the repository tracks reads the developers-only ../shared folder', () => {
    // A user's clone has no ../shared: a path into it would pass here and fail for them.
    const tracked = execFileSync('git', ['ls-files'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).trim().split('\n');
    const offenders = tracked
      .filter((file) => /\.(ts|mjs|js|json|sh|md)$/.test(file) || file === '.ci/run')
      .filter((file) => existsSync(join(WORKSPACE_ROOT, file)))
      .filter((file) => /\.\.\/shared\b|shared\/datasets|FEDBIOMED_SHARED_DATASETS/.test(readFileSync(join(WORKSPACE_ROOT, file), 'utf8')))
      .filter((file) => file !== 'tools/workspace/bundled-data.test.ts' && file !== '.ci/run');
    expect(offenders).toEqual([]);
  });
});
