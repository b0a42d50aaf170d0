// Runs the standardisation benchmark's quick variant (tools/bench/heart-disease-standardization.mjs
// --quick: one seed, 3 rounds × 20 updates) as a process, as a reader would: the built packages
// (`npx tsc -b tsconfig.build.json` first), four node runtimes over gRPC on loopback, an analytics
// query for the global statistics, then the same FedAvg training under each standardisation.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_BIN, WORKSPACE_ROOT } from '@fedbiomed/test-utils';

interface Run {
  readonly mode: 'local' | 'global' | 'federated';
  readonly perCenter: number[];
  readonly auc: number;
}

describe('tools/bench/heart-disease-standardization.mjs --quick', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    dir = mkdtempSync(join(tmpdir(), 'std-bench-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('standardises with the statistics of the 486 train rows, and the global plan trains exactly as the federated path', async () => {
    const out = join(dir, 'result.json');
    await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'bench', 'heart-disease-standardization.mjs'), '--quick', '--json', out], { cwd: WORKSPACE_ROOT });
    const result = JSON.parse(readFileSync(out, 'utf8')) as { step: { params: { sampleCount: number; statistics: string } }; runs: Run[] };
    // FLamby's train splits: 199 + 172 + 30 + 85 rows.
    expect(result.step.params).toMatchObject({ statistics: 'global', sampleCount: 486 });
    const byMode = (mode: Run['mode']): Run => result.runs.find((run) => run.mode === mode)!;
    expect(byMode('global').perCenter).toEqual(byMode('federated').perCenter);
    expect(byMode('global').auc).toBe(byMode('federated').auc);
    // Each hospital's own statistics give another model: the comparison measures something.
    expect(byMode('local').perCenter).not.toEqual(byMode('global').perCenter);
  }, 180_000);
});
