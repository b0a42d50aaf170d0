// Runs the scale benchmark (tools/bench/scale.mjs) at CI size as a reader would: a researcher
// process (the real ResearcherServer and transport federation) and two worker processes of real
// NodeClient sessions on loopback (`npx tsc -b tsconfig.build.json` first), with heartbeats, a round
// to every node, rounds while nodes churn, and a last round once every node is back; then the same
// through two real intermediate-aggregator processes (hierarchical aggregation).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';

interface Round {
  sent: number;
  aggregated: number;
  failures: Record<string, number>;
  meanOk: boolean;
}
interface SizeResult {
  nodes: number;
  ok: boolean;
  rssPerNodeKiB: number;
  heartbeatCpu: number;
  firstRound: Round;
  churnRounds: number;
  churnDisconnects: number;
  churnRepliesAggregated: number;
  lastRound: Round | null;
}
interface AggregatorStats {
  index: number;
  expectedLeaves: number;
  leavesOnline: number;
  rssPerNodeKiB: number;
  heartbeatCpu: number;
  leafDisconnects: number;
}
interface HierarchicalResult extends Omit<SizeResult, 'rssPerNodeKiB'> {
  searchedLeaves: number;
  aggregators: AggregatorStats[];
  sessions: { root: number; aggregators: { index: number; leaves: number; online: number }[]; workers: { worker: number; leaves: number }[] };
}

const CI_SIZE = ['--nodes', '200', '--workers', '2', '--heartbeat-ms', '2000', '--idle-s', '1', '--churn-s', '6', '--churn-period-s', '3', '--churn-fraction', '0.1', '--max-s', '150'];

async function runScale(extra: string[] = []): Promise<Record<string, unknown>[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'bench', 'scale.mjs'), ...CI_SIZE, ...extra], { cwd: WORKSPACE_ROOT });
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tools/bench/scale.mjs at CI size', () => {
  it('holds 200 sessions: every reply of the first and last rounds aggregated to the right mean, rounds complete under churn', async () => {
    const lines = await runScale();
    const result = lines[0] as unknown as SizeResult;

    expect(result.ok).toBe(true);
    expect(result.firstRound).toEqual(expect.objectContaining({ sent: 200, aggregated: 200, failures: {}, meanOk: true }));
    expect(result.lastRound).toEqual(expect.objectContaining({ sent: 200, aggregated: 200, failures: {}, meanOk: true }));
    // Churn: nodes left and came back while rounds ran, and those rounds still aggregated replies.
    expect(result.churnRounds).toBeGreaterThan(0);
    expect(result.churnDisconnects).toBeGreaterThanOrEqual(10);
    expect(result.churnRepliesAggregated).toBeGreaterThan(0);
    expect(result.rssPerNodeKiB).toBeGreaterThan(0);
    expect(lines.at(-1)).toEqual(expect.objectContaining({ summary: true, largestHeld: 200 }));
  }, 180_000);

  it('--aggregators 2: 200 leaves through 2 aggregator processes, every leaf reply in the first and last rounds, the exact weighted mean', async () => {
    const lines = await runScale(['--aggregators', '2']);
    const result = lines[0] as unknown as HierarchicalResult;

    expect(result.ok).toBe(true);
    // The root holds 2 sessions; each aggregator 100 leaves (leaf i dials aggregator i mod 2).
    expect(result.sessions.root).toBe(2);
    expect(result.sessions.aggregators).toEqual([
      { index: 0, leaves: 100, online: 100 },
      { index: 1, leaves: 100, online: 100 },
    ]);
    expect(result.sessions.workers.map((w) => w.leaves)).toEqual([100, 100]);
    expect(result.searchedLeaves).toBe(200);
    // Every leaf's reply counted by its aggregator, the summed sample counts equal the leaves' own,
    // and the root's FedAvg over the two subtree means is global + 0.001.
    const complete = { sent: 200, aggregators: 2, aggregated: 200, weightsComplete: true, failures: {}, meanOk: true };
    expect(result.firstRound).toEqual(expect.objectContaining(complete));
    expect(result.lastRound).toEqual(expect.objectContaining(complete));
    // Churn: leaves left their aggregators and came back; the rounds meanwhile still aggregated.
    expect(result.churnRounds).toBeGreaterThan(0);
    expect(result.churnRepliesAggregated).toBeGreaterThan(0);
    expect(result.aggregators.reduce((sum, a) => sum + a.leafDisconnects, 0)).toBeGreaterThanOrEqual(10);
    for (const aggregator of result.aggregators) {
      expect(aggregator).toEqual(expect.objectContaining({ expectedLeaves: 100, leavesOnline: 100 }));
      expect(aggregator.rssPerNodeKiB).toBeGreaterThan(0);
      expect(aggregator.heartbeatCpu).toBeGreaterThan(0);
    }
    expect(lines.at(-1)).toEqual(expect.objectContaining({ summary: true, largestHeld: 200 }));
  }, 180_000);
});
