import { pluginId } from './plan-plugins';
import type { PlanSpec } from './plan-spec';
import { usesErrorFeedback } from '../compression/compression-spec';
import { describeTrainingLimits } from './training-limits';

/** One layer of a plan, as a node operator sees it. */
export interface LayerSummary {
  readonly name: string;
  readonly className: string;
  readonly parameters: number;
}

/** What `fedbiomed node plan show` prints about a plan. */
export interface PlanSummary {
  readonly name: string;
  readonly description: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly layers: readonly LayerSummary[];
  readonly totalParameters: number;
  readonly loss: string;
  readonly optimizer: string;
  readonly metrics: readonly string[];
  readonly preprocessing: readonly string[];
  /** The plug-ins the plan needs, as `package@version` with the layers it takes from each. */
  readonly plugins: readonly string[];
  /** What each round's training arguments may ask for, one limit a line, defaults spelled out. */
  readonly limits: readonly string[];
  /** How updates go up and the global model down, one direction a line; empty when uncompressed. */
  readonly compression: readonly string[];
}

/** Summarises a plan's layers, parameter counts and training configuration. */
export function summarizePlan(spec: PlanSpec): PlanSummary {
  const config = (spec.modelTopology['config'] ?? {}) as { layers?: { class_name?: unknown; config?: { name?: unknown } }[] };
  const layers = (config.layers ?? []).map((layer) => {
    const name = String(layer.config?.name ?? '');
    const parameters = spec.weights.tensors
      .filter((t) => t.name.startsWith(`${name}/`))
      .reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    return { name, className: String(layer.class_name ?? ''), parameters };
  });
  const params = Object.entries(spec.optimizer.params)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `, ${k}=${v}`)
    .join('');
  return {
    name: spec.name,
    description: spec.description,
    inputShape: spec.inputShape,
    outputShape: spec.outputShape,
    layers,
    totalParameters: spec.weights.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0),
    loss: typeof spec.loss === 'string' ? spec.loss : `${spec.loss.name} ${JSON.stringify(spec.loss.params)}`,
    optimizer: `${spec.optimizer.name}(learningRate=${spec.optimizer.learningRate}${params})`,
    metrics: spec.metrics,
    preprocessing: spec.preprocessing.map(describeStep),
    plugins: (spec.plugins ?? []).map((p) => (p.layers.length ? `${pluginId(p)} (layers: ${p.layers.join(', ')})` : pluginId(p))),
    limits: describeTrainingLimits(spec.limits, spec.optimizer.learningRate),
    compression: describeCompression(spec.compression),
  };
}

/**
 * A step as the operator approves it; `standardize` without `statistics` says it shares the
 * default federated statistics, since approving it lets the node send its train split's aggregates.
 */
function describeStep(step: PlanSpec['preprocessing'][number]): string {
  const params = step.name === 'standardize' && step.params['statistics'] === undefined ? { ...step.params, statistics: 'federated' } : step.params;
  return Object.keys(params).length ? `${step.name} ${JSON.stringify(params)}` : step.name;
}

function describeCompression(compression: PlanSpec['compression']): string[] {
  if (compression === undefined) return [];
  const codec = (ref: { name: string; params: Record<string, unknown> }): string => (Object.keys(ref.params).length ? `${ref.name} ${JSON.stringify(ref.params)}` : ref.name);
  const feedback = usesErrorFeedback(compression) ? ', with error feedback kept on this node' : '';
  return [
    `updates sent to the researcher: ${compression.up ? `${codec(compression.up)} (delta new − global${feedback})` : 'float32'}`,
    `global model received: ${compression.down ? codec(compression.down) : 'float32'}`,
  ];
}

/** The summary as aligned text lines, one layer per line. */
export function formatPlanSummary(summary: PlanSummary): string {
  const width = Math.max(5, ...summary.layers.map((l) => l.name.length));
  const typeWidth = Math.max(5, ...summary.layers.map((l) => l.className.length));
  const rows = summary.layers.map(
    (l) => `  ${l.name.padEnd(width)}  ${l.className.padEnd(typeWidth)}  ${l.parameters.toLocaleString('en-US').padStart(12)}`,
  );
  return [
    `Plan: ${summary.name}${summary.description ? ` — ${summary.description}` : ''}`,
    `Input: [${summary.inputShape.join(', ')}]  Output: [${summary.outputShape.join(', ')}]`,
    `  ${'Layer'.padEnd(width)}  ${'Class'.padEnd(typeWidth)}  ${'Parameters'.padStart(12)}`,
    ...rows,
    `Total parameters: ${summary.totalParameters.toLocaleString('en-US')}`,
    `Loss: ${summary.loss}`,
    `Optimiser: ${summary.optimizer}`,
    `Metrics: ${summary.metrics.join(', ') || '(none)'}`,
    `Preprocessing: ${summary.preprocessing.join('; ') || '(none)'}`,
    `Plug-ins: ${summary.plugins.join('; ') || '(none)'}`,
    'Training arguments allowed:',
    ...summary.limits.map((line) => `  ${line}`),
    ...(summary.compression.length ? ['Compression:', ...summary.compression.map((line) => `  ${line}`)] : []),
    'Initial weights: sent by the researcher with each round (not covered by approval)',
  ].join('\n');
}
