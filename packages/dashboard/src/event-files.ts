import { z } from 'zod';
import type { RoundResult } from '@fedbiomed/researcher';
import { DashboardError } from './errors';
import type { BoardEvent } from './round-board';

// What the researcher's ExperimentMonitor writes. Checked on read because the folder may come from
// another version or have been edited by hand; unknown fields pass (newer researchers add some, e.g. ε).
const metricValues = z.object({ values: z.record(z.string(), z.number()), sampleCount: z.number() });
const failure = z.looseObject({ nodeId: z.string(), nodeName: z.string(), code: z.string(), reason: z.string() });
const nodeResult = z.looseObject({
  nodeId: z.string(),
  nodeName: z.string(),
  metricsBefore: metricValues.optional(),
  metricsAfter: metricValues.optional(),
  bytesSent: z.number().optional(),
  bytesReceived: z.number().optional(),
});
const roundResult = z.looseObject({
  round: z.number().int(),
  durationMs: z.number(),
  selected: z.array(z.string()),
  nodes: z.array(nodeResult),
  failures: z.array(failure),
  metricsBefore: metricValues,
  metricsAfter: metricValues,
});
const round = z.number().int();
const roundEvent = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('round-started'), round, selected: z.array(z.string()) }),
  z.looseObject({ type: z.literal('node-replied'), round, nodeId: z.string(), nodeName: z.string() }),
  failure.extend({ type: z.literal('node-dropped'), round }),
  z.looseObject({ type: z.literal('round-completed'), result: roundResult }),
  z.looseObject({ type: z.literal('round-failed'), round, failures: z.array(failure) }),
]);
const ROUND_EVENT_TYPES = new Set(['round-started', 'node-replied', 'node-dropped', 'round-completed', 'round-failed']);

const metricsFile = z.looseObject({ experimentId: z.string(), rounds: z.array(roundResult) });

/**
 * One line of `events.jsonl` as a board event, or `undefined` for an event type the dashboard does
 * not draw. Throws a {@link DashboardError} naming the file and line when the line is not a round event.
 */
export function parseEventLine(line: string, file: string, lineNumber: number): BoardEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new DashboardError('BAD_FILE', `${file} line ${lineNumber}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') throw new DashboardError('BAD_FILE', `${file} line ${lineNumber}: an event needs a string "type"`);
  if (!ROUND_EVENT_TYPES.has(type)) return undefined;
  const parsed = roundEvent.safeParse(json);
  if (!parsed.success) throw new DashboardError('BAD_FILE', `${file} line ${lineNumber}: ${describeIssues(parsed.error)}`);
  return parsed.data as unknown as BoardEvent;
}

/** `metrics.json` (written by researchers predating `events.jsonl`): its experiment id and rounds. */
export function parseMetricsJson(text: string, file: string): { experimentId: string; rounds: RoundResult[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DashboardError('BAD_FILE', `${file}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = metricsFile.safeParse(json);
  if (!parsed.success) throw new DashboardError('BAD_FILE', `${file}: ${describeIssues(parsed.error)}`);
  return parsed.data as unknown as { experimentId: string; rounds: RoundResult[] };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(event)'}: ${issue.message}`).join('; ');
}
