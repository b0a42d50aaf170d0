import type { RoundResult } from '../experiment-results';
import type { MetricValues } from '../metric-aggregation';
import type { NodePrivacy, ServerPrivacy } from '../privacy-report';
import { nodeLabels, nodesOfRounds } from './node-labels';

/** Node column value of the rows aggregated across nodes. */
export const ALL_NODES = '*';

const HEADER = ['round', 'node_id', 'node', 'phase', 'metric', 'value', 'sample_count'];

/**
 * The ε values of a DP mechanism as (metric, value) pairs, in the CSV's `privacy` phase and under
 * TensorBoard's `privacy/` tags: `epsilon_round`, `epsilon_cumulative` (the experiment so far) and,
 * for a node, `epsilon_dataset` (all experiments on its dataset), all at the reported `delta`.
 */
export function privacyValues(privacy: NodePrivacy | ServerPrivacy | undefined): [string, number][] {
  if (privacy === undefined) return [];
  const values: [string, number][] = [
    ['epsilon_round', privacy.epsilonRound],
    ['epsilon_cumulative', privacy.epsilonCumulative],
  ];
  if ('epsilonDataset' in privacy) values.push(['epsilon_dataset', privacy.epsilonDataset]);
  values.push(['delta', privacy.delta]);
  return values;
}

/**
 * Every round's metrics as long-format CSV: one row per (round, node, phase, metric), the
 * federation's sample-weighted aggregate under node `*`. Phases: `global` (the global model on each
 * test split, before local training), `local` (after) and `privacy` (ε spent, {@link privacyValues};
 * server-side DP under node `*`). The `node` column holds each node's label
 * ({@link nodeLabels}: its name, with its id where names clash), as in the TensorBoard tags; `labels`
 * defaults to the labels of the nodes in `results`.
 */
export function metricsCsv(results: readonly RoundResult[], labels: ReadonlyMap<string, string> = nodeLabels(nodesOfRounds(results))): string {
  const rows: string[][] = [HEADER];
  const add = (round: number, nodeId: string, label: string, phase: string, metrics: MetricValues | undefined): void => {
    if (metrics === undefined) return;
    for (const [name, value] of Object.entries(metrics.values)) {
      rows.push([String(round), nodeId, label, phase, name, String(value), String(metrics.sampleCount)]);
    }
  };
  for (const result of results) {
    for (const node of result.nodes) {
      const label = labels.get(node.nodeId) ?? node.nodeId;
      add(result.round, node.nodeId, label, 'global', node.metricsBefore);
      add(result.round, node.nodeId, label, 'local', node.metricsAfter);
      for (const [name, value] of privacyValues(node.privacy)) rows.push([String(result.round), node.nodeId, label, 'privacy', name, String(value), String(node.sampleCount)]);
    }
    add(result.round, ALL_NODES, ALL_NODES, 'global', result.metricsBefore);
    add(result.round, ALL_NODES, ALL_NODES, 'local', result.metricsAfter);
    for (const [name, value] of privacyValues(result.privacy)) rows.push([String(result.round), ALL_NODES, ALL_NODES, 'privacy', name, String(value), '']);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/**
 * Every round's full result (nodes, failures, timings, aggregates) as indented JSON, with `nodes`:
 * each node id's label, the name the CSV and TensorBoard use for it.
 */
export function metricsJson(
  experimentId: string,
  results: readonly RoundResult[],
  labels: ReadonlyMap<string, string> = nodeLabels(nodesOfRounds(results)),
): string {
  return JSON.stringify({ experimentId, nodes: Object.fromEntries(labels), rounds: results }, null, 2) + '\n';
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
