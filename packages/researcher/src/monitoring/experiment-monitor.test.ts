import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import type { NodeRoundResult, RoundResult } from '../experiment-results';
import { EVENTS_FILE, ExperimentMonitor } from './experiment-monitor';
import { nodeLabels } from './node-labels';
import { TensorBoardEventCodec } from './tensorboard-event';
import { decodeTfRecords } from './tfrecord';

// Two hospitals that both call themselves "Saint-Louis" and one other: the monitor's files must
// name each node the same way everywhere, and tell the two namesakes apart.
const NODES = [
  { nodeId: 'node-a', nodeName: 'Saint-Louis' },
  { nodeId: 'node-b', nodeName: 'Saint-Louis' },
  { nodeId: 'node-c', nodeName: 'Cochin' },
];

function nodeResult(nodeId: string, nodeName: string, accuracy: number): NodeRoundResult {
  return {
    nodeId,
    nodeName,
    datasetId: `ds-${nodeId}`,
    sampleCount: 10,
    numUpdates: 1,
    backend: 'cpu',
    metricsBefore: { values: { accuracy }, sampleCount: 5 },
    timing: { queuedMs: 0, trainingMs: 1, evaluationMs: 1, totalMs: 2, roundTripMs: 3 },
  };
}

function round(n: number): RoundResult {
  return {
    round: n,
    startedAtMs: 0,
    durationMs: 10,
    selected: NODES.map((node) => node.nodeId),
    nodes: NODES.map((node, i) => nodeResult(node.nodeId, node.nodeName, 0.5 + i / 10)),
    failures: [],
    metricsBefore: { values: { accuracy: 0.6 }, sampleCount: 15 },
    metricsAfter: { values: { accuracy: 0.7 }, sampleCount: 15 },
    fitMetrics: {},
  };
}

/** Runs one round of a monitored experiment: a streamed training scalar per node, then the round's results. */
function monitorOneRound(dir: string, resumed: boolean): void {
  const monitor = new ExperimentMonitor(dir, 'exp-1', { resumed, nodes: () => NODES });
  for (const node of NODES) monitor.record({ type: 'scalar', round: 1, nodeId: node.nodeId, name: 'loss', value: 0.3, step: 1, phase: 'train' }, []);
  monitor.record({ type: 'round-completed', result: round(1) }, [round(1)]);
  monitor.close();
}

function eventFiles(dir: string): string[] {
  return readdirSync(join(dir, 'tensorboard')).filter((file) => file.startsWith('events.out.tfevents.'));
}

function tags(dir: string, file: string): string[] {
  const codec = new TensorBoardEventCodec();
  return decodeTfRecords(readFileSync(join(dir, 'tensorboard', file))).flatMap((record) => (codec.decode(record).scalars ?? []).map((s) => s.tag));
}

const temps: TempDir[] = [];
const temp = (): string => {
  const dir = makeTempDir();
  temps.push(dir);
  return dir.path;
};
afterEach(() => temps.splice(0).forEach((dir) => dir.dispose()));

describe('nodeLabels', () => {
  it('uses the node name, adds the id only to names two nodes share, and falls back to the id', () => {
    expect(Object.fromEntries(nodeLabels([...NODES, { nodeId: 'node-d', nodeName: ' ' }]))).toEqual({
      'node-a': 'Saint-Louis (node-a)',
      'node-b': 'Saint-Louis (node-b)',
      'node-c': 'Cochin',
      'node-d': 'node-d',
    });
  });
});

describe('ExperimentMonitor', () => {
  it('names each node by one label in TensorBoard tags, metrics.csv and metrics.json', () => {
    const dir = temp();
    monitorOneRound(dir, false);
    const [file] = eventFiles(dir);
    const nodePrefixes = new Set(tags(dir, file!).map((tag) => tag.split('/')[0]).filter((prefix) => prefix !== 'federation'));
    expect([...nodePrefixes].sort()).toEqual(['Cochin', 'Saint-Louis (node-a)', 'Saint-Louis (node-b)']);
    expect(tags(dir, file!)).toEqual(expect.arrayContaining(['Cochin/train/loss', 'Cochin/global/accuracy']));

    const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('round,node_id,node,phase,metric,value,sample_count');
    expect(csv).toEqual(expect.arrayContaining(['1,node-a,Saint-Louis (node-a),global,accuracy,0.5,5', '1,node-c,Cochin,global,accuracy,0.7,5']));
    const json = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { nodes: Record<string, string> };
    expect(json.nodes).toEqual({ 'node-a': 'Saint-Louis (node-a)', 'node-b': 'Saint-Louis (node-b)', 'node-c': 'Cochin' });
  });

  it('replaces the previous run’s event file when a new experiment runs in the same folder', () => {
    const dir = temp();
    monitorOneRound(dir, false);
    monitorOneRound(dir, false);
    const files = eventFiles(dir);
    expect(files).toHaveLength(1);
    // Only the second run's records: its file is not the first run's file appended to.
    expect(tags(dir, files[0]!).filter((tag) => tag === 'Cochin/train/loss')).toHaveLength(1);
  });

  it('keeps the earlier records when the experiment resumes from a breakpoint', () => {
    const dir = temp();
    monitorOneRound(dir, false);
    monitorOneRound(dir, true);
    const losses = eventFiles(dir).flatMap((file) => tags(dir, file)).filter((tag) => tag === 'Cochin/train/loss');
    expect(losses).toHaveLength(2);
  });

  it('appends the round events, not the streamed scalars, to events.jsonl: replaced by a new run, kept on resume', () => {
    const dir = temp();
    const types = (): string[] =>
      readFileSync(join(dir, EVENTS_FILE), 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { type: string }).type);
    monitorOneRound(dir, false);
    expect(types()).toEqual(['round-completed']);
    const line = JSON.parse(readFileSync(join(dir, EVENTS_FILE), 'utf8')) as { result: RoundResult; timeMs: number };
    expect(line.result.nodes.map((node) => node.nodeName)).toEqual(['Saint-Louis', 'Saint-Louis', 'Cochin']);
    expect(line.timeMs).toBeGreaterThan(0);
    monitorOneRound(dir, false);
    expect(types()).toEqual(['round-completed']);
    monitorOneRound(dir, true);
    expect(types()).toEqual(['round-completed', 'round-completed']);
  });
});
