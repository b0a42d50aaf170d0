import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

describe('generated contract code', () => {
  it('matches what tools/proto/generate.mjs produces from proto/', () => {
    const script = join(__dirname, '..', 'proto', 'generate.mjs');
    const output = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(output).toContain('up to date');
  });
});
