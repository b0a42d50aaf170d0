import type { TrainingError } from '../errors';
import { ExtensionRegistry } from '../extension-registry';
import { builtinMetrics } from './builtin-metrics';
import type { MetricDefinition } from './metric-definition';

/** The metric evaluation computes with the plan's own loss, not with a registered function. */
export const LOSS_METRIC = 'loss';

const metrics = new ExtensionRegistry<MetricDefinition>('metric', builtinMetrics, [LOSS_METRIC]);

/**
 * Makes a metric available to plans and evaluations by its name in this process.
 *
 * @throws TrainingError `INVALID_ARGUMENT` when the name is malformed, `loss`, or already taken
 */
export function registerMetric(definition: MetricDefinition): void {
  metrics.register(definition);
}

/**
 * The metric registered under `name`.
 *
 * @throws TrainingError `UNSUPPORTED` listing the known names when there is none (`loss` included)
 */
export function getMetric(name: string): MetricDefinition {
  return metrics.get(name);
}

/** `loss` and the names of the registered metrics. */
export function metricNames(): string[] {
  return metrics.names();
}

/** Whether `name` is `loss` or a registered metric. */
export function isMetricName(name: string): boolean {
  return metrics.has(name);
}

/**
 * Checks metric names against the registry.
 *
 * @throws TrainingError `UNSUPPORTED` naming the first unknown one and listing the known ones
 */
export function checkMetricNames(names: readonly string[]): readonly string[] {
  const unknown = names.find((name) => !metrics.has(name));
  if (unknown !== undefined) throw unknownMetric(unknown);
  return names;
}

/** The error for an unknown metric name: it lists the known ones. */
export function unknownMetric(name: string): TrainingError {
  return metrics.unknown(name);
}

