// Runs the secure-aggregation benchmark's quick variant (tools/bench/secagg.mjs --quick: 10
// in-process clients × 1,000 parameters, SecAgg+ and SecAgg, one run) as a process, after
// `npx tsc -b tsconfig.build.json`. It checks results, never timings.
import { runBenchScript } from '@fedbiomed/test-utils';

interface BenchRow {
  readonly nodes: number;
  readonly graph: string;
  readonly neighbours: number;
  readonly bytes: number;
  readonly plainBytes: number;
  readonly maxError: number;
  readonly bound: number;
}

describe('tools/bench/secagg.mjs --quick', () => {
  it('unmasks plain FedAvg within the quantisation bound on both graphs, with the traffic it reports', async () => {
    const { rows } = (await runBenchScript<{ rows: BenchRow[] }>('secagg.mjs', ['--quick'])).report;
    expect(rows.map((r) => [r.nodes, r.graph, r.neighbours])).toEqual([
      [10, 'secagg+', 8],
      [10, 'secagg', 9],
    ]);
    for (const row of rows) {
      expect(row.maxError).toBeLessThanOrEqual(row.bound);
      expect(row.bytes).toBeGreaterThan(row.plainBytes);
    }
  }, 120_000);
});
