// Runs the McMahan et al. MNIST benchmark's CI-sized variant (tools/bench/mcmahan-mnist.mjs --quick:
// 10 virtual clients holding 60 training images each as sorted shards of two digits, 2 rounds, E = 1,
// 300 test images) as a process, as a reader would, on the built packages (`npx tsc -b
// tsconfig.build.json` first): FedAvg, FedProx and SCAFFOLD over the same Simulation; then the same
// run stopped after round 1 and resumed from its --dir, its clients then on 2 worker threads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchScript } from '@fedbiomed/test-utils';

interface BenchResult {
  readonly quick: boolean;
  readonly setup: { readonly clients: number; readonly rounds: number };
  readonly strategies: { readonly name: string; readonly roundsRun: number; readonly accuracy: number[]; readonly roundSeconds: number[]; readonly clientsPerRound: number[] }[];
}

describe('tools/bench/mcmahan-mnist.mjs --quick', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcmahan-mnist-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // A resumed run reads its curves so far from its report, so the runs of one --dir share the report's folder.
  const bench = (args: string[] = [], reportDir?: string) => runBenchScript<BenchResult>('mcmahan-mnist.mjs', ['--quick', ...args], reportDir === undefined ? {} : { dir: reportDir });
  let uninterrupted: BenchResult | undefined;

  it('trains the paper\'s CNN with FedAvg, FedProx and SCAFFOLD on pathological shards, each well above chance (0.1) after 2 rounds', async () => {
    const { report: result } = await bench();
    uninterrupted = result;
    expect(result.quick).toBe(true);
    expect(result.strategies.map((s) => s.name)).toEqual(['fedavg', 'fedprox', 'scaffold']);
    for (const strategy of result.strategies) {
      expect(strategy.roundsRun).toBe(2);
      expect(strategy.roundSeconds).toHaveLength(2);
      expect(strategy.clientsPerRound).toEqual([5, 5]); // C = 0.5 of 10 clients, every one of them aggregated
      expect(strategy.accuracy[1]).toBeGreaterThan(0.2);
    }
  }, 600_000);

  it('--dir: a run stopped after round 1 and started again (on 2 worker threads) goes on to the same curves as the uninterrupted run', async () => {
    expect(uninterrupted).toBeDefined();
    const runDir = join(dir, 'resumable');
    const { report: first } = await bench(['--dir', runDir, '--rounds', '1'], runDir);
    expect(first.strategies.map((s) => s.roundsRun)).toEqual([1, 1, 1]);
    const { report: resumed, stdout } = await bench(['--dir', runDir, '--rounds', '2', '--workers', '2'], runDir);
    for (const name of ['fedavg', 'fedprox', 'scaffold']) expect(stdout).toContain(`${name}: resumed after round 1`);
    // Same client draws, same weights, the nodes' and strategies' state carried over: equal to the last bit.
    expect(resumed.strategies.map((s) => s.accuracy)).toEqual(uninterrupted?.strategies.map((s) => s.accuracy));
    expect(resumed.strategies.map((s) => s.clientsPerRound)).toEqual([[5, 5], [5, 5], [5, 5]]);
  }, 600_000);
});
