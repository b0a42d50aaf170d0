/**
 * What the status page shows, read from the running node's own record: `logs/node.log` (pino JSON
 * lines, the operator events of `@fedbiomed/node`) and `node.lock` (whether a node runs on the
 * folder). The GUI is a separate process and takes no lock, so the log is the node's voice to it.
 */
import { existsSync, readFileSync } from 'node:fs';

/** One line of `node.log`, as the GUI shows it. */
export interface LogLine {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly event?: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A train round the node finished. */
export interface RoundLine {
  readonly time: number;
  readonly experimentId: string;
  readonly round: number;
  readonly samples: number;
  readonly seconds: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** The request the node is working on. */
export interface TaskInFlight {
  readonly requestId: string;
  readonly experimentId: string;
  readonly round: number;
  readonly since: number;
  /** Optimiser steps done so far, and planned when the request says. */
  readonly step?: number;
  readonly totalSteps?: number;
}

/** The status page's model. */
export interface NodeStatus {
  /** Whether a node process holds the folder (`node.lock`). */
  readonly running: boolean;
  readonly connection: { readonly state: 'connected' | 'connecting' | 'reconnecting' | 'refused' | 'stopped' | 'unknown'; readonly detail: string };
  readonly task?: TaskInFlight;
  /** Most recent first. */
  readonly rounds: readonly RoundLine[];
}

const LEVELS: Record<number, LogLine['level']> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const HIDDEN = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'component']);

/** Parses one JSON line of `node.log`; `undefined` for anything else (a torn last line). */
export function parseLogLine(text: string): LogLine | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || typeof raw['time'] !== 'number') return undefined;
  const fields = Object.fromEntries(Object.entries(raw).filter(([key]) => !HIDDEN.has(key)));
  return {
    time: raw['time'],
    level: LEVELS[Number(raw['level'])] ?? 'info',
    ...(typeof raw['event'] === 'string' && { event: raw['event'] }),
    message: typeof raw['msg'] === 'string' ? raw['msg'] : '',
    fields,
  };
}

/** Every complete line of the log file (none when the node never ran). */
export function readLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map(parseLogLine)
    .filter((line): line is LogLine => line !== undefined);
}

/** Folds the log, oldest first, into the status page's model. */
export function nodeStatus(lines: readonly LogLine[], running: boolean, maxRounds = 20): NodeStatus {
  let connection: NodeStatus['connection'] = { state: 'unknown', detail: 'the node has not logged a connection yet' };
  let task: TaskInFlight | undefined;
  const rounds: RoundLine[] = [];
  for (const line of lines) {
    const f = line.fields;
    const text = (key: string): string => String(f[key] ?? '');
    switch (line.event) {
      case 'connecting':
        connection = { state: 'connecting', detail: line.message };
        break;
      case 'connected':
        connection = { state: 'connected', detail: line.message };
        break;
      case 'reconnecting':
        connection = { state: 'reconnecting', detail: line.message };
        break;
      case 'refused-by-researcher':
        connection = { state: 'refused', detail: line.message };
        break;
      case 'train-received':
        task = { requestId: text('requestId'), experimentId: text('experimentId'), round: Number(f['round']), since: line.time };
        break;
      case 'train-progress':
        if (task?.requestId === text('requestId')) {
          task = { ...task, step: Number(f['step']), ...(typeof f['totalSteps'] === 'number' && { totalSteps: f['totalSteps'] }) };
        }
        break;
      case 'round-trained':
        rounds.push({
          time: line.time,
          experimentId: text('experimentId'),
          round: Number(f['round']),
          samples: Number(f['sampleCount']),
          seconds: Number(f['seconds']),
          metrics: (f['metrics'] ?? {}) as Record<string, number>,
        });
        if (task?.requestId === text('requestId')) task = undefined;
        break;
      case 'request-refused':
      case 'request-failed':
        if (task?.requestId === text('requestId')) task = undefined;
        break;
    }
    if (line.message === 'node stopped') {
      connection = { state: 'stopped', detail: line.message };
      task = undefined;
    }
  }
  if (!running && connection.state !== 'refused') connection = { state: 'stopped', detail: 'no node runs on this folder (no node.lock); start it with `fedbiomed node start`' };
  return { running, connection, ...(running && task !== undefined && { task }), rounds: rounds.reverse().slice(0, maxRounds) };
}

/** The status of the node folder whose log is `logFile` and lock `lockFile`. */
export function readNodeStatus(logFile: string, lockFile: string): NodeStatus {
  return nodeStatus(readLog(logFile), existsSync(lockFile));
}
