// Runs the survival benchmark's quick variant (tools/bench/survival-cox.mjs --quick: 3 centres × 120
// rows, one seed) as a process, as a reader would: real node processes of the built CLI (`npx tsc -b
// tsconfig.build.json` first) approving through `plan approve`, the SDK over gRPC on loopback, a
// linear Cox model trained with FedAvg and the same model fitted on the pooled rows.
import { runBenchScript } from '@fedbiomed/test-utils';

interface SurvivalResult {
  readonly beta: number[];
  readonly federated: number[];
  readonly pooled: number[];
  readonly perCentre: { centre: string; federated: number; pooled: number }[];
}

describe('tools/bench/survival-cox.mjs --quick', () => {
  it('recovers the true coefficients\' signs, close to the pooled fit, with per-centre C-indices within 0.02 of the pooled model', async () => {
    const { report: result } = await runBenchScript<SurvivalResult>('survival-cox.mjs', ['--quick']);

    expect(result.federated.map(Math.sign)).toEqual(result.beta.map(Math.sign));
    result.federated.forEach((b, j) => expect(Math.abs(b - result.pooled[j]!)).toBeLessThan(0.1));
    expect(result.perCentre).toHaveLength(3);
    for (const centre of result.perCentre) {
      expect(centre.federated).toBeGreaterThan(0.6); // reported by the node, on its own test split
      expect(Math.abs(centre.federated - centre.pooled)).toBeLessThanOrEqual(0.02);
    }
  }, 120_000);
});
