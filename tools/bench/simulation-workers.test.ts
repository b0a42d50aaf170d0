// Runs tools/bench/simulation-workers.mjs at a tiny size as a reader would (built packages first):
// the script itself checks, each repeat, that the worker-thread run ends on the one-thread run's weights.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

describe('tools/bench/simulation-workers.mjs', () => {
  it('times one thread against 2 worker threads on the same MNIST clients and finds the same weights, with no listener warning at 12 nodes a round', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulation-workers-'));
    try {
      const out = join(dir, 'report.json');
      const script = join(WORKSPACE_ROOT, 'tools', 'bench', 'simulation-workers.mjs');
      // 24 clients, half of them a round: 12 requests share the round's abort signal (the warning Node
      // prints past 10 listeners is not the leak it looks for; the channel raises the limit).
      const { stderr } = await promisify(execFile)(process.execPath, [script, '--repeats', '1', '--rounds', '2', '--clients', '24', '--per-client', '10', '--json', out], { cwd: WORKSPACE_ROOT });
      expect(stderr).not.toContain('MaxListenersExceededWarning');
      const report = JSON.parse(readFileSync(out, 'utf8')) as { sameWeights: boolean; speedup: number; medianRoundSeconds: { oneThread: number; workers: number } };
      expect(report.sameWeights).toBe(true);
      expect(report.medianRoundSeconds.oneThread).toBeGreaterThan(0);
      expect(report.medianRoundSeconds.workers).toBeGreaterThan(0);
      expect(report.speedup).toBeCloseTo(report.medianRoundSeconds.oneThread / report.medianRoundSeconds.workers, 10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
