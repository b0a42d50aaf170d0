import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// Lints virtual files placed inside packages, so the check runs the real project graph and rule.
const workspaceRoot = join(__dirname, '..', '..');

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  // ESLint loads its flat config with a dynamic import, which jest's module runtime refuses.
  const output = execFileSync(process.execPath, [join(workspaceRoot, 'tools', 'lint', 'lint-text.mjs')], {
    cwd: workspaceRoot,
    input: JSON.stringify({ filePath: join(workspaceRoot, filePath), source }),
    env: { ...process.env, NX_DAEMON: 'false' },
    encoding: 'utf8',
  });
  const messages = JSON.parse(output) as { ruleId: string | null; message: string }[];
  return messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  it('forbids strategy from importing transport', async () => {
    const errors = await boundaryErrors(
      'packages/strategy/src/forbidden.ts',
      "import { x } from '@fedbiomed/transport';\nexport const y = x;\n",
    );
    expect(errors).toEqual([expect.stringContaining('"scope:strategy" can only depend on libs tagged with "scope:test-utils", "scope:proto"')]);
  });

  it('forbids strategy from importing tfjs', async () => {
    const errors = await boundaryErrors(
      'packages/strategy/src/forbidden.ts',
      "import * as tf from '@tensorflow/tfjs';\nexport const y = tf;\n",
    );
    expect(errors).toEqual([expect.stringContaining('is not allowed to import "@tensorflow/tfjs"')]);
  });

  it('forbids transport from importing training', async () => {
    const errors = await boundaryErrors(
      'packages/transport/src/forbidden.ts',
      "import { x } from '@fedbiomed/training';\nexport const y = x;\n",
    );
    expect(errors).toHaveLength(1);
  });

  it('allows node to import transport', async () => {
    const errors = await boundaryErrors(
      'packages/node/src/allowed.ts',
      "import { x } from '@fedbiomed/transport';\nexport const y = x;\n",
    );
    expect(errors).toEqual([]);
  });

  it('allows simulation to import node and researcher, and forbids researcher from importing simulation', async () => {
    const allowed = await boundaryErrors(
      'packages/simulation/src/allowed.ts',
      "import { createVirtualNode } from '@fedbiomed/node';\nimport { Experiment } from '@fedbiomed/researcher';\nexport const y = [createVirtualNode, Experiment];\n",
    );
    expect(allowed).toEqual([]);
    const forbidden = await boundaryErrors('packages/researcher/src/forbidden.ts', "import { Simulation } from '@fedbiomed/simulation';\nexport const y = Simulation;\n");
    expect(forbidden).toHaveLength(1); // reported as a cycle: simulation depends on researcher
  });
});
