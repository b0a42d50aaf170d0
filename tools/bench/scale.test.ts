// Runs the scale benchmark (tools/bench/scale.mjs) at CI size as a reader would: a researcher
// process (the real ResearcherServer and transport federation) and two worker processes of real
// NodeClient sessions on loopback (`npx tsc -b tsconfig.build.json` first), with heartbeats, a round
// to every node, rounds while nodes churn, and a last round once every node is back.
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

describe('tools/bench/scale.mjs at CI size', () => {
  it('holds 200 sessions: every reply of the first and last rounds aggregated to the right mean, rounds complete under churn', async () => {
    const args = ['--nodes', '200', '--workers', '2', '--heartbeat-ms', '2000', '--idle-s', '1', '--churn-s', '6', '--churn-period-s', '3', '--churn-fraction', '0.1', '--max-s', '150'];
    const { stdout } = await promisify(execFile)(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'bench', 'scale.mjs'), ...args], { cwd: WORKSPACE_ROOT });
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as SizeResult & { summary?: boolean; largestHeld?: number });
    const result = lines[0] as SizeResult;

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
});
