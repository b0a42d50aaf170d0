// Runs the end-to-end secure-aggregation round benchmark (tools/bench/secagg-round.mjs) at CI size
// as a process: the real researcher round over real gRPC on loopback, 5 NodeClient sessions in two
// worker processes, 1,000 parameters, plain and secure rounds side by side (after
// `npx tsc -b tsconfig.build.json`). It checks results and traffic, never timings.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchScript } from '@fedbiomed/test-utils';

interface RoundRow {
  readonly nodes: number;
  readonly params: number;
  readonly workers: number;
  readonly neighbours: number;
  readonly plainRunsMs: number[];
  readonly secureRunsMs: number[];
  readonly securePhasesMs: { setup: number; train: number; unmask: number; rest: number };
  readonly secureNodesCpuMs: number;
  readonly plainBytes: number;
  readonly secureBytes: number;
  readonly maxError: number;
  readonly bound: number;
  readonly withinBound: boolean;
}

describe('tools/bench/secagg-round.mjs at CI size', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'secagg-round-test-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('5 nodes × 1,000 parameters: the secure round equals the plain FedAvg round within the quantisation bound', async () => {
    const report = join(dir, 'report.md');
    const { rows } = (await runBenchScript<{ rows: RoundRow[] }>('secagg-round.mjs', ['--sizes', '5x1000', '--repeats', '2', '--workers', '2', '--report', report], { dir })).report;
    expect(rows).toHaveLength(1);
    const row = rows[0] as RoundRow;
    expect(row).toEqual(expect.objectContaining({ nodes: 5, params: 1000, workers: 2, neighbours: 4, withinBound: true }));
    expect(row.plainRunsMs).toHaveLength(2);
    expect(row.secureRunsMs).toHaveLength(2);
    // The secure round really unmasked a sum: close to plain FedAvg, within the stated bound, not trivially equal to 0.
    expect(row.maxError).toBeLessThanOrEqual(row.bound);
    expect(row.bound).toBeLessThan(1e-6);
    // Each round moves at least the model both ways for every node; the secure round adds keys and shares.
    expect(row.plainBytes).toBeGreaterThan(2 * 5 * 1000 * 4);
    expect(row.secureBytes).toBeGreaterThan(row.plainBytes);
    // The secure round went through every protocol step (timed, whatever the durations), and the nodes' CPU was read.
    expect(Object.keys(row.securePhasesMs).sort()).toEqual(['rest', 'setup', 'train', 'unmask']);
    expect(row.securePhasesMs.setup).toBeGreaterThan(0);
    expect(row.securePhasesMs.unmask).toBeGreaterThan(0);
    expect(row.secureNodesCpuMs).toBeGreaterThan(0);
    expect(readFileSync(report, 'utf8')).toMatch(/\| 5 \| 1,000 \| 4 \| 2 \|/);
  }, 120_000);
});
