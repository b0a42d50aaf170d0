import { z } from 'zod';
import { parseConfig, type ConfigSchema } from '../config';
import { StrategyError, StrategyErrorCode } from '../errors';
import { MetricAverager } from '../math/metric-average';
import { WeightedMeanAccumulator, type NonFiniteHandler } from '../math/weighted-mean';
import { locateFlatIndex, type ParameterLayout } from '../parameters';
import { createCryptoRng, type Rng } from '../rng';
import type {
  ConfigValue,
  DroppedReply,
  EvaluateAggregate,
  EvaluateResult,
  FitAggregate,
  FitFailure,
  FitInstruction,
  FitReplies,
  FitResult,
  GlobalModel,
  JsonValue,
  StateValue,
  Strategy,
  StrategyLogger,
  StrategySnapshot,
} from '../types';
import { acceptValidReplies, acceptValidReplyList, type AcceptOptions } from '../validation';

/** Config shared by every built-in strategy. */
export const BaseConfigSchema = z.object({
  /** Fraction of available nodes asked to train each round, in (0, 1]. */
  fractionFit: z.number().gt(0).lte(1).default(1),
  /** Fewest nodes a round may run with; fewer available is an error. */
  minFitNodes: z.number().int().min(1).default(1),
  /** Whether a round with failures still aggregates (`false`: keep the old model). */
  acceptFailures: z.boolean().default(true),
  /** What to do with an invalid reply: drop it with a warning, or fail the round. */
  onInvalidReply: z.enum(['drop', 'fail']).default('drop'),
});

/** How the FedAvg family weights each reply in the mean. */
export const WEIGHTINGS = ['dataset_size', 'processed', 'uniform'] as const;

/** How the FedAvg family weights each reply in the mean; see {@link FedAvg.replyWeight}. */
export type Weighting = (typeof WEIGHTINGS)[number];

/**
 * A `weighting` field defaulting to `fallback`. Breakpoints written before `dataset_size` existed
 * say `samples`, which meant samples processed: read as `processed`, so they resume unchanged.
 */
export function weightingField(fallback: Weighting) {
  return z.preprocess((value) => (value === 'samples' ? 'processed' : value), z.enum(WEIGHTINGS)).default(fallback);
}

/** Config of {@link FedAvg}. */
export const FedAvgConfigSchema = BaseConfigSchema.extend({
  /**
   * `dataset_size`: nᵢ/Σn with nᵢ the rows of node i's train split (Fed-BioMed's and FLamby's
   * rule); `processed`: nᵢ the samples node i processed this round (McMahan et al.); `uniform`:
   * 1/K (needed by server-side DP).
   */
  weighting: weightingField('dataset_size'),
});

/** Validated config of {@link FedAvg}. */
export type FedAvgConfig = z.output<typeof FedAvgConfigSchema>;

/** Collaborators a strategy is given, never serialised. */
export interface StrategyDeps {
  /** Receives warnings about dropped replies; defaults to silence. */
  readonly logger?: StrategyLogger;
  /** Samples nodes when `fractionFit` < 1 (and draws noise for DP wrappers); defaults to a crypto RNG. */
  readonly rng?: Rng;
}

/**
 * The valid replies {@link FedAvg.aggregateReplies} combines: a list when `aggregateFit` was given
 * an array (every reply already at hand), otherwise a stream in arrival order. `for await` reads
 * both.
 */
export type ValidReplies = readonly FitResult[] | AsyncIterable<FitResult>;

/** What a strategy remembers between `configureFit` and `aggregateFit`. */
export interface OpenRound {
  readonly round: number;
  readonly model: GlobalModel;
  /** Nodes asked to train. */
  readonly selected: ReadonlySet<string>;
  /** Nodes available when the round opened. */
  readonly available: readonly string[];
}

const silentLogger: StrategyLogger = { warn: () => undefined };

/**
 * Federated Averaging (McMahan et al. 2017, "Communication-Efficient Learning of Deep Networks
 * from Decentralized Data", AISTATS):
 *
 *   w_{t+1} = Σᵢ (nᵢ / Σⱼ nⱼ) · wᵢ
 *
 * over the valid replies, nᵢ the rows of node i's train split (`weighting: 'dataset_size'`, the
 * default) or the samples it processed this round (`'processed'`), with equal weights 1/K when every
 * nᵢ is 0 (or with `weighting: 'uniform'`), accumulated in Float64 and checked for NaN and ±Infinity on the way. A stream of
 * replies is folded in as they arrive, four at a time, into one Float64 accumulator: 2·P·4 bytes
 * of memory whatever the number of nodes (at most three replies are held by reference while a
 * batch fills), about one pass over the reply bytes. An array of replies (all at hand) is averaged
 * block by block across all of them at once ({@link WeightedMeanAccumulator.meanOf}): one read of
 * each reply, no P-sized Float64 pass, the same bits. The same replies in the same order give the
 * same bits, list or stream. A different order may change the Float64 sums in their last bit,
 * which the float32 result almost never shows; the robust rules are order-independent bit for bit.
 *
 * The parent of every built-in: subclasses override one step ({@link FedAvg.fitConfig},
 * {@link FedAvg.fitAux}, {@link FedAvg.aggregateReplies} or {@link FedAvg.serverUpdate}), as in
 * Flower.
 */
export class FedAvg implements Strategy {
  static readonly strategyName: string = 'fedavg';

  /** The validated config, saved in snapshots. */
  readonly config: FedAvgConfig;
  protected readonly logger: StrategyLogger;
  protected readonly deps: StrategyDeps;
  private openRound: OpenRound | undefined;
  private rng: Rng | undefined;

  constructor(config: Partial<FedAvgConfig> = {}, deps: StrategyDeps = {}) {
    this.config = this.parse(config);
    this.deps = deps;
    this.logger = deps.logger ?? silentLogger;
  }

  /**
   * Rebuilds a strategy of this class from a snapshot (its config, then its state). The registry's
   * `restoreStrategy` does the same by name.
   */
  static fromJSON<T extends Strategy>(
    this: { new (config: never, deps?: StrategyDeps): T; readonly strategyName: string },
    snapshot: StrategySnapshot,
    deps: StrategyDeps = {},
  ): T {
    if (snapshot.strategyName !== this.strategyName) {
      throw new StrategyError(StrategyErrorCode.INVALID_STATE, `snapshot is of strategy "${snapshot.strategyName}", not "${this.strategyName}"`);
    }
    const strategy = new this(snapshot.config as never, deps);
    strategy.loadState(snapshot.state);
    return strategy;
  }

  get strategyName(): string {
    return (this.constructor as typeof FedAvg).strategyName;
  }

  /** Validates a config with this class's schema; subclasses override to extend the schema. */
  protected parse(config: unknown): FedAvgConfig {
    return parseConfig(FedAvgConfigSchema as ConfigSchema<FedAvgConfig>, config, this.strategyName);
  }

  initialParameters(_layout: ParameterLayout): Float32Array | null {
    return null;
  }

  configureFit(round: number, model: GlobalModel, nodeIds: readonly string[]): FitInstruction[] {
    if (model.weights.length !== model.layout.size) {
      throw new StrategyError(StrategyErrorCode.LAYOUT_MISMATCH, `global weights hold ${model.weights.length} values, the layout ${model.layout.size}`);
    }
    const selected = this.selectNodes(nodeIds);
    this.openRound = { round, model, selected: new Set(selected), available: [...nodeIds] };
    return selected.map((nodeId) => ({ nodeId, config: this.fitConfig(round, nodeId), aux: this.fitAux(round, nodeId) }));
  }

  /**
   * Picks ⌊fractionFit · N⌋ nodes (at least `minFitNodes`) uniformly without replacement, from the
   * ids sorted so that a seeded RNG gives the same pick whatever the order nodes connected in.
   */
  protected selectNodes(nodeIds: readonly string[]): string[] {
    const unique = [...new Set(nodeIds)].sort();
    if (unique.length < this.config.minFitNodes) {
      throw new StrategyError(StrategyErrorCode.TOO_FEW_NODES, `${unique.length} node(s) available, minFitNodes is ${this.config.minFitNodes}`);
    }
    const count = Math.max(this.config.minFitNodes, Math.floor(this.config.fractionFit * unique.length));
    if (count >= unique.length) return unique;
    const rng = (this.rng ??= this.deps.rng ?? createCryptoRng());
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rng.nextFloat() * (unique.length - i));
      [unique[i], unique[j]] = [unique[j]!, unique[i]!];
    }
    return unique.slice(0, count).sort();
  }

  /** Scalars sent to `nodeId` this round. FedAvg sends none. */
  protected fitConfig(_round: number, _nodeId: string): Record<string, ConfigValue> {
    return {};
  }

  /** Arrays sent to `nodeId` this round. FedAvg sends none. */
  protected fitAux(_round: number, _nodeId: string): Record<string, Float32Array> {
    return {};
  }

  /** Auxiliary arrays every reply must carry (checked with the weights). */
  protected requiredAux(): readonly string[] {
    return [];
  }

  async aggregateFit(round: number, results: FitReplies, failures: readonly FitFailure[]): Promise<FitAggregate | null> {
    const open = this.openRound;
    if (open === undefined || open.round !== round) {
      throw new StrategyError(StrategyErrorCode.ROUND_NOT_CONFIGURED, `round ${round} was not opened by configureFit${open ? ` (round ${open.round} is open)` : ''}`);
    }
    this.openRound = undefined;
    if (!this.config.acceptFailures && failures.length > 0) return null;
    const droppedReplies: DroppedReply[] = [];
    // Accepted replies by node, without their weights (the aggregate must not hold them).
    const ledger = new Map<string, Pick<FitResult, 'sampleCount' | 'metrics'>>();
    const record = (reply: FitResult): void => {
      ledger.set(reply.nodeId, { sampleCount: reply.sampleCount, metrics: reply.metrics });
    };
    const acceptance: AcceptOptions = {
      layout: open.model.layout,
      expectedNodes: open.selected,
      requiredAux: this.requiredAux(),
      checkWeightsFinite: !this.checksFiniteWhileAggregating(),
      onInvalidReply: this.config.onInvalidReply,
      logger: this.logger,
      dropped: droppedReplies,
    };
    let valid: ValidReplies;
    if (isReplyList(results)) {
      valid = acceptValidReplyList(results, acceptance);
      valid.forEach(record);
    } else {
      const stream = acceptValidReplies(results, acceptance);
      valid = (async function* (): AsyncGenerator<FitResult, void, undefined> {
        for await (const reply of stream) {
          record(reply);
          yield reply;
        }
      })();
    }
    const rejectNonFinite: NonFiniteHandler<string> = (nodeId, flatIndex, value) => {
      const { tensor, index } = locateFlatIndex(open.model.layout, flatIndex);
      const error = new StrategyError(StrategyErrorCode.NON_FINITE, `weights hold ${value} at flat index ${flatIndex}`, { nodeId, tensor, index });
      if (this.config.onInvalidReply === 'fail') throw error;
      this.logger.warn(`dropping the reply of node ${JSON.stringify(nodeId)}: ${error.message}`, { nodeId, code: error.code });
      droppedReplies.push({ nodeId, error });
      ledger.delete(nodeId);
    };
    const aggregate = await this.aggregateReplies(open, valid, rejectNonFinite);
    if (aggregate === null) {
      throw new StrategyError(StrategyErrorCode.EMPTY_REPLY_SET, `all ${droppedReplies.length} replies were invalid and dropped`);
    }
    const metrics = new MetricAverager();
    for (const entry of ledger.values()) metrics.add(entry.metrics, entry.sampleCount);
    return { weights: this.serverUpdate(open, aggregate), metrics: metrics.result(), acceptedNodes: [...ledger.keys()], droppedReplies };
  }

  /**
   * Whether {@link FedAvg.aggregateReplies} checks the weights for NaN and ±Infinity itself (while
   * folding them, saving a pass over every reply) and reports them through its `onNonFinite`
   * handler. When false, replies are checked in full before `aggregateReplies` sees them.
   */
  protected checksFiniteWhileAggregating(): boolean {
    return true;
  }

  /**
   * Weight of one reply in the mean: the rows of its train split (`dataset_size`, falling back to
   * the processed count for a reply that carries none), the samples it processed (`processed`), or 1
   * (`uniform`).
   */
  protected replyWeight(reply: FitResult): number {
    switch (this.config.weighting) {
      case 'uniform':
        return 1;
      case 'processed':
        return reply.sampleCount;
      case 'dataset_size':
        return reply.datasetSize ?? reply.sampleCount;
    }
  }

  /**
   * Combines the valid replies into one vector, or `null` when none is left. FedAvg takes their
   * weighted mean, checking finiteness on the way: block by block across a list, folded in as they
   * arrive from a stream (same bits). Robust rules collect them first.
   */
  protected async aggregateReplies(open: OpenRound, replies: ValidReplies, onNonFinite: NonFiniteHandler<string>): Promise<Float32Array | null> {
    const size = open.model.layout.size;
    if (isReplyList(replies)) {
      const inputs = replies.map((reply) => ({ values: reply.weights, weight: this.replyWeight(reply), tag: reply.nodeId }));
      return WeightedMeanAccumulator.meanOf(size, inputs, onNonFinite);
    }
    const mean = new WeightedMeanAccumulator<string>(size, onNonFinite);
    for await (const reply of replies) mean.add(reply.weights, this.replyWeight(reply), reply.nodeId);
    return mean.result();
  }

  /** Turns the combined replies into the next global model. FedAvg takes them as they are. */
  protected serverUpdate(_open: OpenRound, aggregate: Float32Array): Float32Array {
    return aggregate;
  }

  aggregateEvaluate(_round: number, results: readonly EvaluateResult[], _failures: readonly FitFailure[]): EvaluateAggregate | null {
    return aggregateEvaluateMetrics(results, this.config.onInvalidReply, this.logger);
  }

  toJSON(): StrategySnapshot {
    return { strategyName: this.strategyName, config: this.config as unknown as JsonValue, state: this.saveState() };
  }

  /** State across rounds; FedAvg has none. */
  protected saveState(): StateValue {
    return {};
  }

  loadState(_state: StateValue): void {
    // FedAvg keeps nothing across rounds.
  }
}

function isReplyList(replies: FitReplies | ValidReplies): replies is readonly FitResult[] {
  return Array.isArray(replies);
}

/**
 * Sample-weighted average of each metric across nodes (Flower's `weighted_loss_avg`, per metric),
 * `null` when there is no result. A result with an invalid sample count is dropped or fails by
 * `policy`; a non-finite metric value is left out of that metric's average.
 */
export function aggregateEvaluateMetrics(
  results: readonly EvaluateResult[],
  policy: 'drop' | 'fail' = 'fail',
  logger: StrategyLogger = silentLogger,
): EvaluateAggregate | null {
  const metrics = new MetricAverager();
  let sampleCount = 0;
  let used = 0;
  for (const result of results) {
    if (!Number.isInteger(result.sampleCount) || result.sampleCount < 0) {
      const error = new StrategyError(StrategyErrorCode.INVALID_SAMPLE_COUNT, `sample count must be a non-negative integer, got ${result.sampleCount}`, { nodeId: result.nodeId });
      if (policy === 'fail') throw error;
      logger.warn(`dropping the evaluation of node ${JSON.stringify(result.nodeId)}: ${error.message}`, { nodeId: result.nodeId, code: error.code });
      continue;
    }
    metrics.add(result.metrics, result.sampleCount);
    sampleCount += result.sampleCount;
    used++;
  }
  return used === 0 ? null : { metrics: metrics.result(), sampleCount };
}
