// Runs the FedProx step benchmark's quick variant (tools/bench/fedprox-step.mjs --quick: 3 steps, one
// repeat) as a process on the built packages (`npx tsc -b tsconfig.build.json` first), and checks its
// report: both arms measured on the McMahan CNN. No timing is asserted.
import { runBenchScript } from '@fedbiomed/test-utils';

describe('tools/bench/fedprox-step.mjs --quick', () => {
  it('times plain local SGD and FedProx side by side and reports their ratio', async () => {
    const { report, stdout } = await runBenchScript<{ steps: number; mu: number; plainMs: number; fedproxMs: number; ratio: number; plainRuns: number[]; fedproxRuns: number[] }>(
      'fedprox-step.mjs',
      ['--quick'],
    );
    expect(report).toMatchObject({ steps: 3, mu: 0.01 });
    expect(report.plainRuns).toHaveLength(1);
    expect(report.fedproxRuns).toHaveLength(1);
    expect(report.plainMs).toBeGreaterThan(0);
    expect(report.ratio).toBeCloseTo(report.fedproxMs / report.plainMs, 9);
    expect(stdout).toMatch(/FedProx \d+ ms: \d+\.\d\d×/);
  }, 120_000);
});
