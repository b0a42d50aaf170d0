// Runs the Byzantine benchmark's quick variant (tools/bench/byzantine.mjs --quick: 15 nodes on
// Fed-Heart-Disease, 3 of them attackers, 2 seeds × 10 rounds) as a process, as a reader would,
// after `npx tsc -b tsconfig.build.json`. Accuracy only: no timing is asserted.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

interface ByzantineResult {
  readonly nodes: number;
  readonly attackers: readonly string[];
  readonly results: readonly { rule: string; attack: string; accuracy: number }[];
}

describe('tools/bench/byzantine.mjs --quick', () => {
  let dir: string;
  beforeAll(() => {
    const dist = join(WORKSPACE_ROOT, 'packages', 'strategy', 'dist', 'index.js');
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build first with npx tsc -b tsconfig.build.json`);
    dir = mkdtempSync(join(tmpdir(), 'byzantine-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('20% sign-flipping nodes wreck FedAvg while every robust rule keeps its accuracy above FedAvg under attack', async () => {
    const out = join(dir, 'result.json');
    await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'bench', 'byzantine.mjs'), '--quick', '--json', out], { cwd: WORKSPACE_ROOT });
    const { nodes, attackers, results } = JSON.parse(readFileSync(out, 'utf8')) as ByzantineResult;
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
