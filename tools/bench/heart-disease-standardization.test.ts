// Runs the standardisation benchmark's quick variant (tools/bench/heart-disease-standardization.mjs
// --quick: one seed, 3 rounds × 20 updates) as a process, as a reader would: the built packages
// (`npx tsc -b tsconfig.build.json` first), four node runtimes over gRPC on loopback, an analytics
// query for the global statistics, then the same FedAvg training under each standardisation.
import { runBenchScript } from '@fedbiomed/test-utils';

interface Run {
  readonly mode: 'local' | 'global' | 'federated';
  readonly perCenter: number[];
  readonly auc: number;
}

describe('tools/bench/heart-disease-standardization.mjs --quick', () => {
  it('standardises with the statistics of the 486 train rows, and the global plan trains exactly as the federated path', async () => {
    const { report: result } = await runBenchScript<{ step: { params: { sampleCount: number; statistics: string } }; runs: Run[] }>('heart-disease-standardization.mjs', ['--quick']);
    // FLamby's train splits: 199 + 172 + 30 + 85 rows.
    expect(result.step.params).toMatchObject({ statistics: 'global', sampleCount: 486 });
    const byMode = (mode: Run['mode']): Run => result.runs.find((run) => run.mode === mode)!;
    expect(byMode('global').perCenter).toEqual(byMode('federated').perCenter);
    expect(byMode('global').auc).toBe(byMode('federated').auc);
    // Each hospital's own statistics give another model: the comparison measures something.
    expect(byMode('local').perCenter).not.toEqual(byMode('global').perCenter);
  }, 180_000);
});
