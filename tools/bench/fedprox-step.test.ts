// Runs the FedProx step benchmark's quick variant (tools/bench/fedprox-step.mjs --quick: 3 steps, one
// repeat) as a process on the built packages (`npx tsc -b tsconfig.build.json` first), and checks its
// report: both arms measured on the McMahan CNN. No timing is asserted.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

describe('tools/bench/fedprox-step.mjs --quick', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedprox-step-bench-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('times plain local SGD and FedProx side by side and reports their ratio', async () => {
    const out = join(dir, 'result.json');
    const { stdout } = await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'bench', 'fedprox-step.mjs'), '--quick', '--json', out], { cwd: WORKSPACE_ROOT });
    const report = JSON.parse(readFileSync(out, 'utf8')) as { steps: number; mu: number; plainMs: number; fedproxMs: number; ratio: number; plainRuns: number[]; fedproxRuns: number[] };
    expect(report).toMatchObject({ steps: 3, mu: 0.01 });
    expect(report.plainRuns).toHaveLength(1);
    expect(report.fedproxRuns).toHaveLength(1);
    expect(report.plainMs).toBeGreaterThan(0);
    expect(report.ratio).toBeCloseTo(report.fedproxMs / report.plainMs, 9);
    expect(stdout).toMatch(/FedProx \d+ ms: \d+\.\d\d×/);
  }, 120_000);
});
