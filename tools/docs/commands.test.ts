// Documented commands that cannot run inside a test, checked for what can go stale: install lines
// name packages of this workspace (or their published dependencies), `npm run` names scripts that
// exist, benchmark lines name scripts and flags those scripts read. Running them is the job of CI
// (.ci/run runs `npm ci`, then `npm test`) and of demo.test.ts (the demo).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docBlock, WORKSPACE_ROOT } from '@fedbiomed/test-utils';

const rootPackage = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

function workspacePackage(name: string): { dependencies?: Record<string, string> } | undefined {
  const folder = name.startsWith('@fedbiomed/') ? join(WORKSPACE_ROOT, 'packages', name.slice('@fedbiomed/'.length), 'package.json') : '';
  return folder !== '' && existsSync(folder) ? JSON.parse(readFileSync(folder, 'utf8')) : undefined;
}

/** The package names of the `npm install` line of a block. */
function installed(code: string): string[] {
  const line = code.split('\n').find((l) => l.startsWith('npm install'));
  if (line === undefined) throw new Error(`no npm install line in ${code}`);
  return line.replace(/#.*/, '').trim().split(/\s+/).slice(2).filter((word) => !word.startsWith('-'));
}

describe('documented commands', () => {
  it.each([
    ['packages/cli/README.md', 'cli-install', ['@fedbiomed/cli']],
    ['packages/datasets/README.md', 'datasets-install', ['@fedbiomed/datasets', '@tensorflow/tfjs']],
    ['packages/node/README.md', 'node-install', ['@fedbiomed/node']],
    ['packages/proto/README.md', 'proto-install', ['@fedbiomed/proto']],
    ['packages/simulation/README.md', 'simulation-install', ['@fedbiomed/simulation', '@fedbiomed/datasets', '@fedbiomed/strategy', '@fedbiomed/training']],
    ['packages/researcher/README.md', 'researcher-install', ['@fedbiomed/researcher', '@fedbiomed/transport', '@fedbiomed/strategy', '@fedbiomed/training']],
    ['packages/strategy/README.md', 'strategy-install', ['@fedbiomed/strategy']],
    ['packages/training/README.md', 'training-install', ['@fedbiomed/training']],
    ['packages/transport/README.md', 'transport-install', ['@fedbiomed/transport']],
  ])('%s (%s) installs its package and what its example imports', (file, id, expected) => {
    const names = installed(docBlock(file, id));
    expect(names).toEqual(expected);
    const own = workspacePackage(names[0]!);
    expect(own).toBeDefined();
    // Every other name is a workspace package or a dependency the first one declares at the same major.
    for (const name of names.slice(1)) expect(workspacePackage(name) !== undefined || own?.dependencies?.[name] !== undefined).toBe(true);
  });

  it('README.md runs npm scripts that exist: the demo and the full test command', () => {
    expect(docBlock('README.md', 'readme-run-demo').trim()).toBe('npm ci && npm run demo');
    expect(rootPackage.scripts['demo']).toContain('bin.js demo');
    expect(docBlock('README.md', 'readme-run-tests').trim()).toBe('npm ci && npm test');
    expect(rootPackage.scripts['test']).toBe('node tools/run-tests.mjs');
    const ci = readFileSync(join(WORKSPACE_ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });

  it('docs/benchmarks/transport.md names a script that exists and flags it reads', () => {
    const lines = docBlock('docs/benchmarks/transport.md', 'bench-transport-commands').split('\n').filter((l) => /\S/.test(l) && !l.startsWith(' '));
    expect(lines.length).toBeGreaterThan(2);
    const script = readFileSync(join(WORKSPACE_ROOT, 'tools', 'bench', 'transport-throughput.mjs'), 'utf8');
    const text = docBlock('docs/benchmarks/transport.md', 'bench-transport-commands').replace(/#.*/g, '');
    for (const flag of text.match(/--[a-z][\w-]*/g) ?? []) expect({ flag, read: script.includes(`'${flag}'`) || script.includes(`"${flag}"`) || script.includes(flag.slice(2)) }).toEqual({ flag, read: true });
    for (const variable of text.match(/\bBENCH_[A-Z_]+/g) ?? []) expect({ variable, read: script.includes(variable) }).toEqual({ variable, read: true });
  });
});
