import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { DashboardError } from './errors';
import { openExperimentFolder } from './experiment-folder';
import type { BoardUpdate } from './round-board';

const FIXTURE = join(__dirname, '..', 'fixtures', 'dp-experiment');

const temps: TempDir[] = [];
afterEach(() => temps.splice(0).forEach((dir) => dir.dispose()));
const copyOfFixture = (files = ['events.jsonl', 'metrics.json']): string => {
  const dir = makeTempDir('fedbiomed-dashboard-');
  temps.push(dir);
  for (const file of files) copyFileSync(join(FIXTURE, file), join(dir.path, file));
  return dir.path;
};

describe('openExperimentFolder', () => {
  it('folds events.jsonl into one view per round: participation, durations, bytes, ε and metrics per node', () => {
    const { board, close } = openExperimentFolder(FIXTURE);
    const state = board.state();
    close();
    expect(state.experimentId).toBe('dp-fixture');
    expect(state.nodes).toEqual({ 'node-cochin': 'Hôpital Cochin', 'node-x': '<script>alert(1)</script>' });
    expect(state.rounds.map((round) => [round.round, round.status, round.replied, round.dropped.map((d) => d.code), round.epsilon])).toEqual([
      [1, 'completed', ['node-cochin', 'node-x'], [], 0.42],
      [2, 'completed', ['node-cochin'], ['TIMEOUT'], 0.73],
      [3, 'completed', ['node-cochin', 'node-x'], [], 1.05],
    ]);
    expect(state.rounds.map((round) => [round.durationMs, round.bytesSent, round.bytesReceived])).toEqual([
      [700, 2480, 2480],
      [800, 1240, 1240],
      [900, 2480, 2480],
    ]);
    expect(state.rounds.map((round) => round.nodeEpsilon)).toEqual([{ 'node-cochin': 0.31 }, { 'node-cochin': 0.55 }, { 'node-cochin': 0.8 }]);
    expect(state.rounds[0]?.global.nodes['node-x']?.['accuracy']).toBeCloseTo(0.67, 10);
    expect(state.rounds[0]?.local.aggregated['accuracy']).toBeCloseTo(0.69, 10);
  });

  it('reads the rounds of metrics.json when the folder predates events.jsonl', () => {
    const { board } = openExperimentFolder(copyOfFixture(['metrics.json']));
    expect(board.state().rounds.map((round) => [round.round, round.replied.length, round.epsilon, round.nodeEpsilon['node-cochin']])).toEqual([
      [1, 2, null, 0.31],
      [2, 1, null, 0.55],
      [3, 2, null, 0.8],
    ]);
  });

  it('names the folder when it is missing or holds no experiment, and the file and line of a bad event', () => {
    const empty = copyOfFixture([]);
    expect(() => openExperimentFolder(join(empty, 'nope'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining(join(empty, 'nope')) }));
    expect(() => openExperimentFolder(empty)).toThrow(expect.objectContaining({ code: 'NO_EXPERIMENT_DATA', message: expect.stringContaining(empty) }));
    const bad = copyOfFixture();
    appendFileSync(join(bad, 'events.jsonl'), '{"type":"round-started","round":"four","selected":[]}\n');
    expect(() => openExperimentFolder(bad)).toThrow(DashboardError);
    expect(() => openExperimentFolder(bad)).toThrow(`${join(bad, 'events.jsonl')} line 13: round:`);
    writeFileSync(join(bad, 'events.jsonl'), 'not json\n');
    expect(() => openExperimentFolder(bad)).toThrow(/events\.jsonl line 1: not JSON/);
  });

  it('follows events appended by a running experiment, waiting for a line to be complete, and restarts when a new run replaces the file', async () => {
    const dir = copyOfFixture();
    const eventsFile = join(dir, 'events.jsonl');
    const lines = readFileSync(eventsFile, 'utf8').trim().split('\n');
    writeFileSync(eventsFile, lines.slice(0, 4).join('\n') + '\n');
    const { board, close } = openExperimentFolder(dir, { follow: true, pollMs: 20 });
    const updates: BoardUpdate[] = [];
    board.subscribe((update) => updates.push(update));
    try {
      expect(board.state().rounds.map((round) => round.status)).toEqual(['completed']);
      const next = lines[4] as string;
      appendFileSync(eventsFile, next.slice(0, 10));
      await waitFor(() => board.state().rounds.length === 2, 300).catch(() => undefined);
      expect(board.state().rounds).toHaveLength(1);
      appendFileSync(eventsFile, next.slice(10) + '\n' + lines.slice(5).join('\n') + '\n');
      await waitFor(() => board.state().rounds.length === 3);
      expect(board.state().rounds.map((round) => round.epsilon)).toEqual([0.42, 0.73, 1.05]);
      writeFileSync(eventsFile, lines[0] + '\n');
      await waitFor(() => board.state().rounds.length === 1);
      expect(updates.some((update) => update.type === 'state')).toBe(true);
      expect(board.state().rounds[0]?.status).toBe('running');
    } finally {
      close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
