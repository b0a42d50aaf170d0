// Runs the secure-aggregation benchmark's quick variant (tools/bench/secagg.mjs --quick: 10
// in-process clients × 1,000 parameters, SecAgg+ and SecAgg, one run) as a process, after
// `npx tsc -b tsconfig.build.json`. It checks results, never timings.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

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
  let dir: string;
  beforeAll(() => {
    const dist = join(WORKSPACE_ROOT, 'packages', 'secagg', 'dist', 'index.js');
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build first with npx tsc -b tsconfig.build.json`);
    dir = mkdtempSync(join(tmpdir(), 'secagg-bench-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('unmasks plain FedAvg within the quantisation bound on both graphs, with the traffic it reports', async () => {
    const out = join(dir, 'result.json');
    await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'bench', 'secagg.mjs'), '--quick', '--json', out], { cwd: WORKSPACE_ROOT });
    const { rows } = JSON.parse(readFileSync(out, 'utf8')) as { rows: BenchRow[] };
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
