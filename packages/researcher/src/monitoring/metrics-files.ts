import type { RoundResult } from '../experiment-results';
import type { MetricValues } from '../metric-aggregation';

/** Node column value of the rows aggregated across nodes. */
export const ALL_NODES = '*';

const HEADER = ['round', 'node_id', 'node_name', 'phase', 'metric', 'value', 'sample_count'];

/**
 * Every round's metrics as long-format CSV: one row per (round, node, phase, metric), the
 * federation's sample-weighted aggregate under node `*`. Phases: `global` (the global model on each
 * test split, before local training) and `local` (after).
 */
export function metricsCsv(results: readonly RoundResult[]): string {
  const rows: string[][] = [HEADER];
  const add = (round: number, nodeId: string, nodeName: string, phase: string, metrics: MetricValues | undefined): void => {
    if (metrics === undefined) return;
    for (const [name, value] of Object.entries(metrics.values)) {
      rows.push([String(round), nodeId, nodeName, phase, name, String(value), String(metrics.sampleCount)]);
    }
  };
  for (const result of results) {
    for (const node of result.nodes) {
      add(result.round, node.nodeId, node.nodeName, 'global', node.metricsBefore);
      add(result.round, node.nodeId, node.nodeName, 'local', node.metricsAfter);
    }
    add(result.round, ALL_NODES, ALL_NODES, 'global', result.metricsBefore);
    add(result.round, ALL_NODES, ALL_NODES, 'local', result.metricsAfter);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Every round's full result (nodes, failures, timings, aggregates) as indented JSON. */
export function metricsJson(experimentId: string, results: readonly RoundResult[]): string {
  return JSON.stringify({ experimentId, rounds: results }, null, 2) + '\n';
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
