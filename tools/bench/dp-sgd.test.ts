// Runs the DP-SGD benchmark's quick variant (tools/bench/dp-sgd.mjs --quick: a few steps, one repeat)
// as a process on the built packages (`npx tsc -b tsconfig.build.json` first), and checks its report:
// both cases measured, each ε the accountant's for q = batch / train rows. No timing is asserted.
import { computeDpEpsilon } from '@fedbiomed/strategy';
import { runBenchScript } from '@fedbiomed/test-utils';

interface BenchResult {
  readonly case: string;
  readonly trainRows: number;
  readonly batchSize: number;
  readonly steps: number;
  readonly plainMs: number;
  readonly dpSgdMs: number;
  readonly ratio: number;
  readonly samplingRate: number;
  readonly epsilon: number;
}

describe('tools/bench/dp-sgd.mjs --quick', () => {
  it('measures plain and DP-SGD rounds on WDBC and MNIST t10k and reports the ε each DP-SGD round spends', async () => {
    const { report, stdout } = await runBenchScript<{ cpu: string; backend: string; results: BenchResult[] }>('dp-sgd.mjs', ['--quick']);
    expect(report.results.map((r) => [r.case, r.trainRows])).toEqual([
      ['WDBC MLP 30-32-16-1', 454],
      ['MNIST t10k small CNN', 10000],
    ]);
    for (const r of report.results) {
      expect(r.plainMs).toBeGreaterThan(0);
      expect(r.dpSgdMs).toBeGreaterThan(0);
      expect(r.ratio).toBeCloseTo(r.dpSgdMs / r.plainMs, 10);
      expect(r.samplingRate).toBe(r.batchSize / r.trainRows);
      expect(r.epsilon).toBeCloseTo(computeDpEpsilon({ samplingRate: r.samplingRate, noiseMultiplier: 1.1, steps: r.steps, delta: 1e-5 }).epsilon, 10);
      expect(stdout).toContain(`| ${r.case} | ${r.batchSize} | ${r.steps} |`);
    }
    expect(report.cpu).not.toBe('');
  }, 120_000);
});
