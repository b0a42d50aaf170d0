// Runs tools/bench/simulation-workers.mjs at a tiny size as a reader would (built packages first):
// the script itself checks, each repeat, that the worker-thread run ends on the one-thread run's weights.
import { runBenchScript } from '@fedbiomed/test-utils';

describe('tools/bench/simulation-workers.mjs', () => {
  it('times one thread against 2 worker threads on the same MNIST clients and finds the same weights, with no listener warning at 12 nodes a round', async () => {
    // 24 clients, half of them a round: 12 requests share the round's abort signal (the warning Node
    // prints past 10 listeners is not the leak it looks for; the channel raises the limit).
    const { report, stderr } = await runBenchScript<{ sameWeights: boolean; speedup: number; medianRoundSeconds: { oneThread: number; workers: number } }>(
      'simulation-workers.mjs',
      ['--repeats', '1', '--rounds', '2', '--clients', '24', '--per-client', '10'],
    );
    expect(stderr).not.toContain('MaxListenersExceededWarning');
    expect(report.sameWeights).toBe(true);
    expect(report.medianRoundSeconds.oneThread).toBeGreaterThan(0);
    expect(report.medianRoundSeconds.workers).toBeGreaterThan(0);
    expect(report.speedup).toBeCloseTo(report.medianRoundSeconds.oneThread / report.medianRoundSeconds.workers, 10);
  }, 300_000);
});
