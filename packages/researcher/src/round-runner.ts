import type { MetricSet__Output, TrainingArgs, TrainingPlan } from '@fedbiomed/proto';
import { FEDPROX_MU_KEY, type FitFailure, type FitResult, type ParameterLayout, type Strategy } from '@fedbiomed/strategy';
import type { DatasetMatch } from './discovery';
import { ResearcherError } from './errors';
import type { ExperimentEvent } from './experiment-events';
import type { NodeFailure, NodeRoundResult, RoundResult } from './experiment-results';
import { nodePrivacy } from './privacy-report';
import type { Federation, NodeOutcome, Standardization, TrainOutcome, TrainTask } from './federation';
import { aggregateMetrics, type MetricValues } from './metric-aggregation';
import { ReplyStream, streamsReplies } from './reply-stream';
import { checkReplyWeight } from './reply-weight';
import { SecureRound, type SecureAggregationOptions } from './secure-round';
import { checkUpdateNorm } from './update-norm';

/** Everything one round needs; the experiment owns and updates the state between rounds. */
export interface RoundInput {
  readonly round: number;
  readonly experimentId: string;
  readonly federation: Federation;
  readonly strategy: Strategy;
  readonly plan: TrainingPlan;
  readonly layout: ParameterLayout;
  readonly weights: Float32Array;
  /** The nodes to train and the dataset each trains on. */
  readonly participants: readonly DatasetMatch[];
  readonly args: TrainingArgs;
  /** Sent with every task when the plan standardises with federated statistics. */
  readonly standardization?: Standardization;
  /** Set when updates are securely aggregated: the options, and the weighting nodes apply. */
  readonly secureAggregation?: { readonly settings: SecureAggregationOptions & { readonly clipRange: number }; readonly weighting: 'dataset_size' | 'uniform' };
  readonly minNodes: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly publish: (event: ExperimentEvent) => void;
  readonly now: () => number;
}

/** The new global weights and what happened. */
export interface RoundOutput {
  readonly weights: Float32Array;
  readonly result: RoundResult;
}

/**
 * One round, Flower `start()` style: the strategy configures the selected nodes, the tasks go out,
 * replies are checked as they arrive (a reply claiming more samples than its node registered is
 * refused, see {@link checkReplyWeight}, and so is an update of absurd norm, see {@link checkUpdateNorm}), nodes that fail or miss the deadline are reported, and the
 * strategy aggregates when at least `minNodes` replied. Otherwise the round fails with
 * `ROUND_FAILED` and the caller keeps its previous model. Replies arriving after the deadline are
 * never read: the requests are cancelled and their iterator dropped.
 *
 * A strategy that {@link streamsReplies} gets its replies as a stream while nodes still train, so
 * the round holds O(P) reply memory whatever the number of nodes (FedAvg and its subclasses fold
 * each reply in; the robust rules buffer them themselves). Its `failures` list is filled as nodes
 * fail and is complete when the stream ends. When the round fails (too few replies, aborted) the
 * stream throws instead of ending: the strategy stops before it commits any state and its
 * result is never used. Other strategies get every reply as a list after the last node answered.
 */
export async function runRound(input: RoundInput): Promise<RoundOutput> {
  const { round, layout, weights, publish, now } = input;
  const startedAtMs = now();
  const byId = new Map(input.participants.map((match) => [match.nodeId, match]));
  const instructions = input.strategy.configureFit(round, { layout, weights }, [...byId.keys()]);
  const tasks: TrainTask[] = instructions.map((instruction) => {
    const match = byId.get(instruction.nodeId);
    if (match === undefined) {
      throw new ResearcherError('INVALID_STATE', `strategy '${input.strategy.strategyName}' configured node ${instruction.nodeId}, which was not offered in round ${round}`);
    }
    return {
      nodeId: match.nodeId,
      datasetId: match.dataset.id,
      round,
      plan: input.plan,
      layout,
      weights,
      aux: instruction.aux,
      args: argsFor(input.args, instruction.config, (message) =>
        publish({ type: 'log', nodeId: instruction.nodeId, level: 'LOG_LEVEL_WARNING', message: `round ${round}: ${message}` }),
      ),
      strategyName: input.strategy.strategyName,
      ...(input.standardization !== undefined ? { standardization: input.standardization } : {}),
    };
  });
  const selected = tasks.map((task) => task.nodeId).sort();
  publish({ type: 'round-started', round, selected });

  const nodes: NodeRoundResult[] = [];
  const failures: NodeFailure[] = [];
  // What the strategy is told: filled as nodes fail, complete once the round's replies are in.
  const fitFailures: FitFailure[] = [];
  const report = (failure: NodeFailure): void => {
    failures.push(failure);
    publish({ type: 'node-dropped', round, ...failure });
  };
  const failureOf = (nodeId: string, code: string, reason: string): NodeFailure => ({ nodeId, nodeName: byId.get(nodeId)?.nodeName ?? nodeId, code, reason });
  const fail = (nodeId: string, code: string, reason: string): void => {
    report(failureOf(nodeId, code, reason));
    fitFailures.push({ nodeId, reason: `${code}: ${reason}` });
  };
  const secure =
    input.secureAggregation === undefined
      ? undefined
      : await SecureRound.open({
          round,
          federation: input.federation,
          options: { experimentId: input.experimentId, timeoutMs: input.timeoutMs, ...(input.signal !== undefined && { signal: input.signal }) },
          settings: input.secureAggregation.settings,
          weighting: input.secureAggregation.weighting,
          tasks,
          matches: byId,
          onFailure: fail,
        });
  const sent = secure?.tasks ?? tasks;
  const replies = new ReplyStream<FitResult>();
  const buffered: FitResult[] = [];
  // A secure round hands the strategy one reply, the unmasked mean, once the round is unmasked.
  const streaming = secure === undefined && streamsReplies(input.strategy);
  // Started before any node answers, so each reply is folded in (and let go) as it arrives.
  const streamed = streaming ? settle(() => input.strategy.aggregateFit(round, replies, fitFailures)) : undefined;
  void streamed?.finally(() => replies.detach());
  let replied = 0;
  const sentAt = now();
  const onOutcome = (outcome: NodeOutcome<TrainOutcome>): void => {
    if (!outcome.ok) return fail(outcome.nodeId, outcome.code, outcome.message);
    const problem = checkReply(outcome.value, round, secure === undefined ? layout.size : 0);
    if (problem !== undefined) return fail(outcome.nodeId, 'BAD_REPLY', problem);
    const match = byId.get(outcome.nodeId) as DatasetMatch;
    const reply = outcome.value;
    const weight = checkReplyWeight(reply, match, input.args);
    if (!weight.ok) return fail(outcome.nodeId, 'INFLATED_SAMPLE_COUNT', weight.reason);
    const metricsAfter = metricValues(reply.metricsAfter);
    if (secure !== undefined) {
      const refused = secure.receive(outcome.nodeId, reply);
      if (refused !== undefined) return fail(outcome.nodeId, 'BAD_REPLY', refused);
    } else {
      const tooLarge = checkUpdateNorm(reply.weights, weights, reply.isDelta);
      if (tooLarge !== undefined) return fail(outcome.nodeId, 'UPDATE_TOO_LARGE', tooLarge);
      const local = reply.isDelta ? addInto(reply.weights, weights) : reply.weights;
      const fit: FitResult = {
        nodeId: outcome.nodeId,
        sampleCount: reply.sampleCount,
        datasetSize: weight.datasetSize,
        weights: local,
        aux: reply.aux,
        ...(metricsAfter ? { metrics: metricsAfter.values } : {}),
      };
      if (streaming) replies.push(fit);
      else buffered.push(fit);
    }
    replied += 1;
    const metricsBefore = metricValues(reply.metricsBefore);
    nodes.push({
      nodeId: outcome.nodeId,
      nodeName: match.nodeName,
      datasetId: reply.datasetId,
      sampleCount: reply.sampleCount,
      numUpdates: reply.numUpdates,
      backend: reply.backend,
      ...(reply.privacy ? { privacy: nodePrivacy(reply.privacy) } : {}),
      ...(metricsBefore ? { metricsBefore } : {}),
      ...(metricsAfter ? { metricsAfter } : {}),
      timing: {
        queuedMs: reply.timing?.queuedMs ?? 0,
        trainingMs: reply.timing?.trainingMs ?? 0,
        evaluationMs: reply.timing?.evaluationMs ?? 0,
        totalMs: reply.timing?.totalMs ?? 0,
        roundTripMs: now() - sentAt,
      },
      ...(reply.bytesSent !== undefined ? { bytesSent: reply.bytesSent } : {}),
      ...(reply.bytesReceived !== undefined ? { bytesReceived: reply.bytesReceived } : {}),
    });
    publish({ type: 'node-replied', round, nodeId: outcome.nodeId, nodeName: match.nodeName, replied: nodes.length, expected: tasks.length });
  };

  const answered = await collectWithDeadline(input, sent, onOutcome);
  for (const task of sent) {
    if (!answered.has(task.nodeId)) fail(task.nodeId, 'TIMEOUT', `no reply within roundTimeoutMs=${input.timeoutMs}`);
  }
  const stop = roundFailure(input, replied, tasks.length, failures);
  if (stop !== undefined) {
    // The stream throws instead of ending, so the strategy stops before it commits any state.
    replies.end(stop);
    await streamed;
    if (stop.code === 'ROUND_FAILED') publish({ type: 'round-failed', round, failures, message: stop.message });
    throw stop;
  }
  replies.end();
  const unmasked = secure === undefined ? undefined : await settle(() => secure.aggregate(weights));
  if (unmasked !== undefined && !unmasked.ok) {
    const error = unmasked.error;
    if (error instanceof ResearcherError && error.code === 'ROUND_FAILED') publish({ type: 'round-failed', round, failures, message: error.message });
    throw error;
  }
  const settled = await (streamed ?? settle(() => input.strategy.aggregateFit(round, unmasked?.ok ? [unmasked.value] : buffered, fitFailures)));
  if (!settled.ok) throw settled.error;
  const aggregate = settled.value;
  // Replies the strategy's validation refused (NaN, wrong shapes) did not count: say so per node.
  const refused = new Set<string>();
  for (const dropped of aggregate?.droppedReplies ?? []) {
    refused.add(dropped.nodeId);
    report(failureOf(dropped.nodeId, 'BAD_REPLY', dropped.error.message));
  }
  const counted = nodes.filter((node) => !refused.has(node.nodeId));
  nodes.splice(0, nodes.length, ...counted);
  nodes.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  const result: RoundResult = {
    round,
    startedAtMs,
    durationMs: now() - startedAtMs,
    selected,
    nodes,
    failures,
    metricsBefore: aggregateMetrics(nodes.flatMap((n) => (n.metricsBefore ? [n.metricsBefore] : []))),
    metricsAfter: aggregateMetrics(nodes.flatMap((n) => (n.metricsAfter ? [n.metricsAfter] : []))),
    fitMetrics: aggregate?.metrics ?? {},
    ...(secure?.summary !== undefined && { secureAggregation: secure.summary }),
  };
  // The aggregate may be a view on a larger accumulator: keep a compact copy.
  return { weights: aggregate === null ? weights : aggregate.weights.slice(), result };
}

/**
 * Why the round cannot produce a model, once every node answered or the deadline passed: the
 * caller aborted, or fewer than `minNodes` replied.
 */
function roundFailure(input: RoundInput, replied: number, asked: number, failures: readonly NodeFailure[]): ResearcherError | undefined {
  if (input.signal?.aborted === true) {
    return new ResearcherError('ABORTED', `round ${input.round} was aborted`, { cause: input.signal.reason });
  }
  if (replied >= input.minNodes) return undefined;
  const listed = failures.map((f) => `${f.nodeName} (${f.code}: ${f.reason})`).join('; ') || 'none';
  return new ResearcherError('ROUND_FAILED', `round ${input.round}: ${replied} of ${asked} nodes replied, minNodes=${input.minNodes}; failures: ${listed}`);
}

type Settlement<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * What `start` resolves or throws (synchronously too), as a value that never rejects: a strategy
 * that fails while nodes still train is not an unhandled rejection.
 */
function settle<T>(start: () => Promise<T>): Promise<Settlement<T>> {
  return Promise.resolve()
    .then(start)
    .then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
}

/**
 * Reads outcomes until every task answered, the deadline passed or the caller aborted; returns the
 * nodes that answered (a federation's own `TIMEOUT` outcome counts as silence, reported by the caller).
 */
async function collectWithDeadline(
  input: RoundInput,
  tasks: readonly TrainTask[],
  onOutcome: (outcome: NodeOutcome<TrainOutcome>) => void,
): Promise<Set<string>> {
  const answered = new Set<string>();
  const seen = new Set<string>();
  if (tasks.length === 0) return answered;
  const controller = new AbortController();
  const abort = (): void => controller.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', abort, { once: true });
  // The federation enforces the timeout itself; this timer only guards against one that does not.
  const timer = setTimeout(() => controller.abort(new Error('round deadline')), input.timeoutMs + 1_000);
  const stopped = new Promise<'stopped'>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  const outcomes = input.federation.train(tasks, { experimentId: input.experimentId, timeoutMs: input.timeoutMs, signal: controller.signal });
  const iterator = outcomes[Symbol.asyncIterator]();
  try {
    while (seen.size < tasks.length) {
      const next = await Promise.race([iterator.next(), stopped]);
      if (next === 'stopped' || next.done === true) break;
      const outcome = next.value;
      if (seen.has(outcome.nodeId)) continue;
      seen.add(outcome.nodeId);
      if (!outcome.ok && outcome.code === 'TIMEOUT') continue;
      answered.add(outcome.nodeId);
      onOutcome(outcome);
    }
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', abort);
    controller.abort(new Error('round finished'));
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
  return answered;
}

/**
 * Folds a strategy's per-node config into the training arguments. The contract has a field for
 * FedProx's μ only; any other key cannot reach the node, so it is reported rather than dropped silently.
 */
function argsFor(
  base: TrainingArgs,
  config: Readonly<Record<string, number | string | boolean>>,
  warn: (message: string) => void,
): TrainingArgs {
  const args: TrainingArgs = { ...base };
  for (const [key, value] of Object.entries(config)) {
    if (key === FEDPROX_MU_KEY && typeof value === 'number') args.fedproxMu = value;
    else warn(`strategy config key '${key}' has no field in TrainingArgs and is not sent to the node`);
  }
  return args;
}

function checkReply(reply: TrainOutcome, round: number, size: number): string | undefined {
  if (reply.round !== round) return `reply is for round ${reply.round}, expected ${round}`;
  if (reply.weights.length !== size) return `reply holds ${reply.weights.length} weights, the model has ${size}${size === 0 ? ' in the clear (secure round)' : ''}`;
  if (!Number.isInteger(reply.sampleCount) || reply.sampleCount < 0) return `reply has sample count ${reply.sampleCount}`;
  return undefined;
}

function addInto(delta: Float32Array, global: Float32Array): Float32Array {
  const out = new Float32Array(delta.length);
  for (let i = 0; i < delta.length; i += 1) out[i] = (global[i] as number) + (delta[i] as number);
  return out;
}

function metricValues(set: MetricSet__Output | null): MetricValues | undefined {
  if (set === null || Object.keys(set.values).length === 0) return undefined;
  return { values: { ...set.values }, sampleCount: set.sampleCount };
}
