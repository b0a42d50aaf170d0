import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { followLog } from './log-follower';
import { nodeStatus, parseLogLine, readNodeStatus, type LogLine } from './node-status';

// Lines in the shape `@fedbiomed/node` writes to logs/node.log (pino JSON, operator events).
const line = (time: number, fields: Record<string, unknown>, msg: string, level = 30): string =>
  JSON.stringify({ level, time, pid: 1, hostname: 'h', component: 'node', ...fields, msg });

const LOG = [
  line(1, { event: 'connecting', address: '127.0.0.1:50051' }, 'node A connecting to the researcher at 127.0.0.1:50051'),
  line(2, { event: 'connected', researcherId: 'r1' }, 'connected to researcher r1 at 127.0.0.1:50051 as A (a)'),
  line(3, { event: 'train-received', requestId: 'q1', experimentId: 'e1', round: 1 }, 'train request q1: round 1 of experiment e1'),
  line(4, { event: 'round-trained', requestId: 'q1', experimentId: 'e1', round: 1, sampleCount: 427, seconds: 1.2, metrics: { loss: 0.69 } }, 'trained round 1'),
  line(5, { event: 'train-received', requestId: 'q2', experimentId: 'e1', round: 2 }, 'train request q2: round 2 of experiment e1'),
  line(6, { event: 'train-progress', requestId: 'q2', experimentId: 'e1', round: 2, step: 12, totalSteps: 30 }, 'round 2 of experiment e1: step 12 of 30'),
  '{"torn": ',
];

test('the log folds into connection, task in flight with its progress, and recent rounds', () => {
  const status = nodeStatus(LOG.map(parseLogLine).filter((l): l is LogLine => l !== undefined), true);
  expect(status.connection.state).toBe('connected');
  expect(status.task).toEqual({ requestId: 'q2', experimentId: 'e1', round: 2, since: 5, step: 12, totalSteps: 30 });
  expect(status.rounds).toEqual([{ time: 4, experimentId: 'e1', round: 1, samples: 427, seconds: 1.2, metrics: { loss: 0.69 } }]);
});

test('a refused request ends the task; a folder without node.lock reads as stopped', () => {
  const refused = line(7, { event: 'request-refused', requestId: 'q2' }, 'refused train request q2', 40);
  const lines = [...LOG, refused].map(parseLogLine).filter((l): l is LogLine => l !== undefined);
  expect(nodeStatus(lines, true).task).toBeUndefined();
  const stopped = nodeStatus(lines.slice(0, 6), false);
  expect(stopped.connection.state).toBe('stopped');
  expect(stopped.task).toBeUndefined();
});

describe('files', () => {
  let dir: TempDir;
  beforeEach(() => (dir = makeTempDir('fedbiomed-gui-status-')));
  afterEach(() => dir.dispose());

  it('reads the log and the lock of a node folder', () => {
    const log = dir.write('node.log', `${LOG.join('\n')}`);
    const lock = dir.write('node.lock', '{}');
    expect(readNodeStatus(log, lock)).toMatchObject({ running: true, connection: { state: 'connected' }, task: { requestId: 'q2' } });
    expect(readNodeStatus(join(dir.path, 'none.log'), join(dir.path, 'none.lock'))).toMatchObject({ running: false, rounds: [] });
  });

  it('follows lines appended later, a torn line once it is complete', async () => {
    const log = dir.write('node.log', `${LOG[0]}\n`);
    const seen: string[] = [];
    const follow = followLog(log, (l) => seen.push(l.message), 20);
    try {
      appendFileSync(log, `${LOG[1]}\n${LOG[2]!.slice(0, 20)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen).toEqual(['connected to researcher r1 at 127.0.0.1:50051 as A (a)']);
      appendFileSync(log, `${LOG[2]!.slice(20)}\n`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen).toHaveLength(2);
      expect(seen[1]).toContain('train request q1');
    } finally {
      follow.stop();
    }
  });
});
