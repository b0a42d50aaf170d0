// Runs the Byzantine benchmark's quick variant (tools/bench/byzantine.mjs --quick: 15 nodes on
// Fed-Heart-Disease, 3 of them attackers, 2 seeds × 10 rounds) as a process, as a reader would,
// after `npx tsc -b tsconfig.build.json`. Accuracy only: no timing is asserted.
import { runBenchScript } from '@fedbiomed/test-utils';

interface ByzantineResult {
  readonly nodes: number;
  readonly attackers: readonly string[];
  readonly results: readonly { rule: string; attack: string; accuracy: number }[];
}

describe('tools/bench/byzantine.mjs --quick', () => {
  it('20% sign-flipping nodes wreck FedAvg while every robust rule keeps its accuracy above FedAvg under attack', async () => {
    const { report } = await runBenchScript<ByzantineResult>('byzantine.mjs', ['--quick']);
    const { nodes, attackers, results } = report;
    const accuracy = (rule: string, attack: string): number => {
      const found = results.find((r) => r.rule.startsWith(rule) && r.attack.startsWith(attack));
      if (found === undefined) throw new Error(`no result for ${rule} under ${attack}`);
      return found.accuracy;
    };

    expect(attackers.length / nodes).toBeCloseTo(0.2, 5);
    const fedavgClean = accuracy('FedAvg', 'none');
    const fedavgFlipped = accuracy('FedAvg', 'sign flip');
    expect(fedavgClean).toBeGreaterThan(0.65);
    // The attack works on FedAvg: it loses more than 0.1 of accuracy.
    expect(fedavgClean - fedavgFlipped).toBeGreaterThan(0.1);
    for (const rule of ['Median', 'Trimmed mean', 'Krum', 'Bulyan']) {
      expect(accuracy(rule, 'sign flip')).toBeGreaterThan(fedavgFlipped + 0.1);
      expect(accuracy(rule, 'scaled')).toBeGreaterThan(accuracy('FedAvg', 'scaled'));
    }
  }, 120_000);
});
