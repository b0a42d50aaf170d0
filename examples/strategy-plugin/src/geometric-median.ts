import {
  StrategyError,
  StrategyErrorCode,
  WeightedMeanAccumulator,
  acceptValidReplies,
  aggregateEvaluateMetrics,
  parseConfig,
  type ConfigSchema,
  type DroppedReply,
  type EvaluateAggregate,
  type EvaluateResult,
  type FitAggregate,
  type FitFailure,
  type FitInstruction,
  type FitReplies,
  type FitResult,
  type GlobalModel,
  type JsonValue,
  type ParameterLayout,
  type Strategy,
  type StrategyDeps,
  type StrategySnapshot,
} from '@fedbiomed/strategy';
import { z } from 'zod';

/** Config of {@link GeometricMedian}. */
export const GeometricMedianConfigSchema = z.object({
  /** Weiszfeld iterations (the RFA paper finds 3–4 enough). */
  iterations: z.number().int().min(1).max(100).default(4),
  /** Smoothing ν > 0: distances below ν count as ν, so a reply equal to the estimate cannot divide by 0. */
  smoothing: z.number().gt(0).default(1e-6),
  /** What to do with an invalid reply. */
  onInvalidReply: z.enum(['drop', 'fail']).default('drop'),
});

/** Validated config of {@link GeometricMedian}. */
export type GeometricMedianConfig = z.output<typeof GeometricMedianConfigSchema>;

/**
 * Robust Federated Aggregation (Pillutla, Kakade, Harchaoui 2022, "Robust Aggregation for
 * Federated Learning", IEEE TSP): the weighted geometric median argmin_z Σᵢ αᵢ‖z − wᵢ‖ with
 * αᵢ = nᵢ/Σn, approximated by the smoothed Weiszfeld iteration
 *
 *   z ← Σᵢ βᵢ wᵢ / Σᵢ βᵢ,   βᵢ = αᵢ / max(ν, ‖z − wᵢ‖)
 *
 * from the weighted mean. Written only against the public API of `@fedbiomed/strategy`: it
 * implements `Strategy` directly, validates replies with `acceptValidReplies`, and passes
 * `runStrategyConformance`.
 */
export class GeometricMedian implements Strategy {
  static readonly strategyName = 'example.geometric-median';
  readonly strategyName = GeometricMedian.strategyName;
  readonly config: GeometricMedianConfig;
  private readonly deps: StrategyDeps;
  private open: { round: number; model: GlobalModel; selected: Set<string> } | undefined;

  constructor(config: Partial<GeometricMedianConfig> = {}, deps: StrategyDeps = {}) {
    this.config = parseConfig(GeometricMedianConfigSchema as ConfigSchema<GeometricMedianConfig>, config, GeometricMedian.strategyName);
    this.deps = deps;
  }

  initialParameters(_layout: ParameterLayout): Float32Array | null {
    return null;
  }

  configureFit(round: number, model: GlobalModel, nodeIds: readonly string[]): FitInstruction[] {
    const selected = [...new Set(nodeIds)].sort();
    this.open = { round, model, selected: new Set(selected) };
    return selected.map((nodeId) => ({ nodeId, config: {}, aux: {} }));
  }

  async aggregateFit(round: number, results: FitReplies, _failures: readonly FitFailure[]): Promise<FitAggregate | null> {
    const open = this.open;
    if (open?.round !== round) throw new StrategyError(StrategyErrorCode.ROUND_NOT_CONFIGURED, `round ${round} was not opened by configureFit`);
    this.open = undefined;
    const droppedReplies: DroppedReply[] = [];
    const replies: FitResult[] = [];
    for await (const reply of acceptValidReplies(results, {
      layout: open.model.layout,
      expectedNodes: open.selected,
      onInvalidReply: this.config.onInvalidReply,
      logger: this.deps.logger ?? { warn: () => undefined },
      dropped: droppedReplies,
    })) {
      replies.push(reply);
    }
    // Sorting by node id makes the result independent of arrival order.
    replies.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    const total = replies.reduce((sum, reply) => sum + reply.sampleCount, 0);
    const alphas = replies.map((reply) => (total > 0 ? reply.sampleCount / total : 1 / replies.length));
    let estimate = this.weightedMean(replies, alphas, open.model.layout.size);
    for (let t = 0; t < this.config.iterations; t++) {
      const betas = replies.map((reply, i) => alphas[i]! / Math.max(this.config.smoothing, distance(estimate, reply.weights)));
      estimate = this.weightedMean(replies, betas, open.model.layout.size);
    }
    return { weights: estimate, metrics: {}, acceptedNodes: replies.map((reply) => reply.nodeId), droppedReplies };
  }

  private weightedMean(replies: readonly FitResult[], weights: readonly number[], size: number): Float32Array {
    const mean = new WeightedMeanAccumulator<string>(size);
    replies.forEach((reply, i) => mean.add(reply.weights, weights[i]!, reply.nodeId));
    return mean.result()!;
  }

  aggregateEvaluate(_round: number, results: readonly EvaluateResult[], _failures: readonly FitFailure[]): EvaluateAggregate | null {
    return aggregateEvaluateMetrics(results, this.config.onInvalidReply);
  }

  toJSON(): StrategySnapshot {
    return { strategyName: this.strategyName, config: this.config as unknown as JsonValue, state: {} };
  }

  loadState(_state: JsonValue): void {
    // Stateless across rounds.
  }
}

function distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}
