import type { LimitedArgs, PlanSpec } from '@fedbiomed/training';
import type { NodeConfig } from './config';

/** The node-wide limits on what a researcher may ask, whatever plan the operator approved. */
export type TaskLimits = NodeConfig['limits'];

/** Bytes of tensors one request may carry: global weights and up to three strategy-state arrays, float32. */
export function maxRequestBytes(limits: TaskLimits): number {
  return limits.maxParameters * 4 * 4;
}

/** Topology keys whose integer values size a layer's weights, so must appear among the manifest's dimensions. */
const WEIGHT_SIZE_KEYS = new Set(['units', 'filters', 'input_dim', 'output_dim']);

/**
 * Why a plan is too large for this node to build, or `undefined`; checked before any tensor is
 * allocated. The weights' manifest must hold at most `maxParameters` values, and every layer size
 * in the topology (`units`, `filters`, `input_dim`, `output_dim`) must be at most `maxParameters`
 * and be a dimension of some manifest tensor: a topology whose layers are larger than the
 * manifest it announces (units 10⁹ behind a manifest of a few weights) is refused, not built.
 */
export function checkPlanSize(spec: PlanSpec, limits: TaskLimits): string | undefined {
  const { maxParameters } = limits;
  let total = 0;
  const dims = new Set<number>();
  for (const tensor of spec.weights.tensors) {
    total += tensor.shape.reduce((a, b) => a * b, 1);
    for (const dim of tensor.shape) dims.add(dim);
  }
  if (total > maxParameters) {
    return `plan "${spec.name}" declares ${total} weights, above this node's limits.maxParameters ${maxParameters}`;
  }
  for (const { key, value } of layerSizes(spec.modelTopology)) {
    if (value > maxParameters) {
      return `plan "${spec.name}" has a layer with ${key} = ${value}, above this node's limits.maxParameters ${maxParameters}`;
    }
    if (!dims.has(value)) {
      return `plan "${spec.name}" has a layer with ${key} = ${value}, which no tensor of its weights' manifest has as a dimension: the topology does not match the manifest`;
    }
  }
  return undefined;
}

/** Every weight-sizing integer in a topology, wherever it is nested. */
function layerSizes(topology: unknown): { key: string; value: number }[] {
  const found: { key: string; value: number }[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (WEIGHT_SIZE_KEYS.has(key) && typeof item === 'number') found.push({ key, value: item });
      else visit(item);
    }
  };
  visit(topology);
  return found;
}

/**
 * Why a round's training arguments go beyond this node's limits, or `undefined`. These hold on top
 * of the plan's own limits: `numUpdates` and `epochs` at most `maxNumUpdates` and `maxEpochs` (a
 * round cannot hold the node for days), the batch at least `minBatchSize` (an update from one
 * sample is that sample's gradient, from which the sample can be rebuilt).
 */
export function checkArgsWithinNodeLimits(args: LimitedArgs, limits: TaskLimits): string | undefined {
  const over = (argument: string, value: number, limit: string, why: string): string =>
    `training argument ${argument} = ${value} is ${why} this node's limit (limits.${limit} in its config)`;
  const numUpdates = Number(args.numUpdates ?? 0);
  if (numUpdates > limits.maxNumUpdates) return over('numUpdates', numUpdates, `maxNumUpdates ${limits.maxNumUpdates}`, 'above');
  const epochs = Number(args.epochs ?? 0);
  if (numUpdates === 0 && epochs > limits.maxEpochs) return over('epochs', epochs, `maxEpochs ${limits.maxEpochs}`, 'above');
  const batchSize = Number(args.batchSize ?? 0);
  // 0 asks for the node's default batch (32).
  if (batchSize !== 0 && batchSize < limits.minBatchSize) return over('batchSize', batchSize, `minBatchSize ${limits.minBatchSize}`, 'below');
  return undefined;
}
