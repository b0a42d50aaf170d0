// The command tree as a user meets it: every command explains itself in --help, and the committed
// `fedbiomed` bin (what `npx fedbiomed` runs) reports its version, or says to build when dist/ is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';
import { requireBuiltCli } from './cli-test-support.test.helper';
import { buildProgram } from './program';

const CLI_DIR = join(WORKSPACE_ROOT, 'packages', 'cli');
const BIN_SHIM = join(CLI_DIR, 'bin', 'fedbiomed.js');

/** Every command below `command`, as its full path (`fedbiomed node dataset add`). */
function walk(command: Command, path: string[] = []): { path: string; command: Command }[] {
  const here = [...path, command.name()];
  return [{ path: here.join(' '), command }, ...command.commands.flatMap((child) => walk(child, here))];
}

describe('fedbiomed command tree', () => {
  it('gives every command, at every level, a description shown by --help', () => {
    const commands = walk(buildProgram());
    expect(commands.map((c) => c.path)).toEqual(expect.arrayContaining(['fedbiomed node dataset add', 'fedbiomed researcher start', 'fedbiomed demo']));
    expect(commands.filter((c) => c.command.description().trim() === '').map((c) => c.path)).toEqual([]);
  });

  it('lists each subcommand with its description in its parent help', () => {
    for (const { command } of walk(buildProgram())) {
      // Help wraps long descriptions over several indented lines.
      const help = command.helpInformation().replace(/\s+/g, ' ');
      for (const child of command.commands) expect(help).toContain(child.description().replace(/\s+/g, ' '));
    }
  });
});

describe('the fedbiomed bin', () => {
  it('prints the version of package.json for --version', () => {
    requireBuiltCli();
    const { version } = JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [BIN_SHIM, '--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });

  it('says to run `npm run build` when the compiled CLI is missing', () => {
    // A copy of the shim in a package folder without dist/: the state of a fresh clone.
    const root = mkdtempSync(join(tmpdir(), 'fedbiomed-shim-'));
    try {
      mkdirSync(join(root, 'bin'));
      copyFileSync(BIN_SHIM, join(root, 'bin', 'fedbiomed.js'));
      const result = spawnSync(process.execPath, [join(root, 'bin', 'fedbiomed.js'), '--version'], { encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('run `npm run build`');
      expect(result.stderr).toContain(join(root, 'dist', 'bin.js'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
