import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { nodeLabels, type EvaluationResult, type ExperimentEvent } from '@fedbiomed/researcher';

/**
 * Shows a run's progress: on a terminal, one bar per round filling as nodes reply; everywhere, one
 * summary line per round (so logs and pipes see progress too).
 */
export class RoundProgress {
  readonly #out: NodeJS.WriteStream;
  readonly #rounds: number;
  #bar: SingleBar | undefined;

  constructor(out: NodeJS.WriteStream, rounds: number) {
    this.#out = out;
    this.#rounds = rounds;
  }

  /** Feeds one experiment event. */
  onEvent(event: ExperimentEvent): void {
    switch (event.type) {
      case 'round-started':
        if (this.#out.isTTY === true) {
          this.#bar = new SingleBar({
            format: `round ${event.round}/${this.#rounds} [{bar}] {value}/{total} nodes {status}`,
            stream: this.#out,
            hideCursor: true,
            clearOnComplete: true,
          });
          this.#bar.start(event.selected.length, 0, { status: '' });
        }
        break;
      case 'node-replied':
        this.#bar?.increment(1, { status: `(${event.nodeName} done)` });
        break;
      case 'node-dropped':
        this.#bar?.increment(1, { status: `(${event.nodeName} dropped: ${event.code})` });
        break;
      case 'round-completed': {
        this.#bar?.stop();
        this.#bar = undefined;
        const r = event.result;
        // Measured only where nodes test the global model (testOnGlobalUpdates) on a test split.
        const metrics = Object.keys(r.metricsBefore.values).length > 0 ? `, global model before training: ${formatMetrics(r.metricsBefore.values)}` : '';
        const failures = r.failures.length > 0 ? `, dropped: ${r.failures.map((f) => `${f.nodeName} (${f.code})`).join(', ')}` : '';
        this.#out.write(`round ${r.round}/${this.#rounds}: ${r.nodes.length} nodes in ${(r.durationMs / 1000).toFixed(1)} s${metrics}${failures}\n`);
        break;
      }
      case 'round-failed':
        this.#bar?.stop();
        this.#bar = undefined;
        break;
      default:
        break;
    }
  }
}

/**
 * The final table: one row per node and the sample-weighted overall row. Nodes go by the labels of
 * the experiment's metrics files and TensorBoard tags (`nodeLabels`). Nodes that could not evaluate
 * (a dataset without a test split, a node gone) are counted under the table with the first one's
 * reason, since a table missing them, or empty, would otherwise read as a bug.
 */
export function metricsTable(evaluation: EvaluationResult, metricNames: readonly string[]): string {
  const table = new Table({ head: ['node', 'test samples', ...metricNames], style: { head: [], border: [] } });
  const labels = nodeLabels(evaluation.nodes);
  for (const node of evaluation.nodes) {
    table.push([labels.get(node.nodeId) ?? node.nodeId, String(node.metrics.sampleCount), ...metricNames.map((m) => formatValue(node.metrics.values[m]))]);
  }
  table.push(['overall (sample-weighted)', String(evaluation.metrics.sampleCount), ...metricNames.map((m) => formatValue(evaluation.metrics.values[m]))]);
  // Ranking metrics pooled from the nodes' binned scores: the metric over all test samples at once.
  const pooled = metricNames.map((m) => evaluation.pooled[`${m}_pooled`]);
  const pooledSamples = pooled.find((p) => p !== undefined)?.sampleCount;
  if (pooledSamples !== undefined) table.push(['overall (pooled score bins)', String(pooledSamples), ...pooled.map((p) => formatValue(p?.value))]);
  const [first] = evaluation.failures;
  if (first === undefined) return table.toString();
  return `${table.toString()}\n${evaluation.failures.length} node(s) did not evaluate (each one's reason is in evaluation.json); ${first.nodeName}: ${first.reason}`;
}

function formatMetrics(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name} ${formatValue(value)}`)
    .join(', ');
}

/** A metric's cell: `-` where not measured, `n/a` where undefined on that data (ROC AUC on one class). */
function formatValue(value: number | undefined): string {
  if (value === undefined) return '-';
  return Number.isNaN(value) ? 'n/a' : value.toFixed(4);
}
