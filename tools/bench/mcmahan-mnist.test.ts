// Runs the McMahan et al. MNIST benchmark's CI-sized variant (tools/bench/mcmahan-mnist.mjs --quick:
// 10 virtual clients holding 60 training images each as sorted shards of two digits, 2 rounds, E = 1,
// 300 test images) as a process, as a reader would, on the built packages (`npx tsc -b
// tsconfig.build.json` first): FedAvg, FedProx and SCAFFOLD over the same Simulation; then the same
// run stopped after round 1 and resumed from its --dir, its clients then on 2 worker threads.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runBenchScript, WORKSPACE_ROOT } from '@fedbiomed/test-utils';

interface BenchResult {
  readonly quick: boolean;
  readonly setup: { readonly clients: number; readonly rounds: number };
  readonly strategies: {
    readonly name: string;
    readonly roundsRun: number;
    readonly accuracy: number[];
    readonly roundSeconds: number[];
    readonly clientsPerRound: number[];
  }[];
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

  it('mcmahan-summary.mjs turns the report into the doc\'s tables: a row per strategy and its accuracy at the rounds asked', async () => {
    expect(uninterrupted).toBeDefined();
    const reportFile = join(dir, 'summary-input.json');
    writeFileSync(reportFile, JSON.stringify(uninterrupted));
    const summary = join(WORKSPACE_ROOT, 'tools', 'bench', 'mcmahan-summary.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [summary, '--at', '1,2', reportFile], { cwd: WORKSPACE_ROOT });
    const rows = stdout.split('\n').filter((line) => /^\| (FedAvg|FedProx|SCAFFOLD)/.test(line));
    expect(rows).toHaveLength(6); // one line per strategy in each table
    for (const [i, strategy] of (uninterrupted?.strategies ?? []).entries()) {
      const cells = rows[i]!.split('|').map((cell) => cell.trim());
      expect(cells[2]).toBe('2'); // rounds run
      const at97 = strategy.accuracy.findIndex((a) => a >= 0.97);
      expect(cells[3]).toBe(at97 < 0 ? 'not reached' : String(at97 + 1));
      const best = Math.max(...strategy.accuracy);
      expect(cells[6]).toBe(`${best.toFixed(4)} (${strategy.accuracy.indexOf(best) + 1})`);
      expect(rows[3 + i]!.split('|').slice(2, 4).map((cell) => cell.trim())).toEqual(strategy.accuracy.map((a) => a.toFixed(3)));
    }
    expect(rows[1]).toMatch(/^\| FedProx \(μ = 0\.01\) \|/);

    const notAReport = join(dir, 'not-a-report.json');
    writeFileSync(notAReport, '{"rows": []}');
    await expect(promisify(execFile)(process.execPath, [summary, notAReport], { cwd: WORKSPACE_ROOT })).rejects.toThrow(/not-a-report\.json: not a report of tools\/bench\/mcmahan-mnist\.mjs/);
  });
});
