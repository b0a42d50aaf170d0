import { randomUUID } from 'node:crypto';
import type { AnalyticsReply__Output } from '@fedbiomed/proto';
import { buildAnalyticsQuery, TrainingError, type AnalyticsQuery, type AnalyticsQueryInput, type BuiltAnalyticsQuery } from '@fedbiomed/training';
import { awaitApproval, type EnsureApprovedOptions } from '../approval';
import { nodeNames, searchDatasets, type NodePlanStatus } from '../discovery';
import { ResearcherError } from '../errors';
import type { ExperimentEvent } from '../experiment-events';
import type { NodeFailure } from '../experiment-results';
import type { AnalyticsFederation, RequestOptions } from '../federation';
import { finishStatistic, poolStatistic, type NodeNames, type StatisticValue } from './pool';

/** Options of {@link Analytics}. */
export interface AnalyticsOptions {
  /** The nodes, e.g. `createTransportFederation(server)`. */
  readonly federation: AnalyticsFederation;
  /** Datasets carrying every one of these tags are queried (a query may name its own). */
  readonly tags?: readonly string[];
  /** Only these node ids (default: every online node). */
  readonly nodes?: readonly string[];
  /** Nodes that must approve and answer a query (default 1). */
  readonly minNodes?: number;
  /** Per request (default 60 s). */
  readonly requestTimeoutMs?: number;
  /** How long to wait for node operators to approve a query (default 10 minutes) and how often to ask (default 2 s). */
  readonly approvalTimeoutMs?: number;
  readonly approvalPollIntervalMs?: number;
  /** Approval progress, one event per node and change (pending, granted, rejected). */
  readonly onEvent?: (event: ExperimentEvent) => void;
}

/** A query and the datasets it runs on. */
export type AnalyticsRequestInput = AnalyticsQueryInput & {
  /** Datasets carrying every one of these tags (default: the `Analytics` object's). */
  readonly tags?: readonly string[];
};

/** How a node noised its reply. */
export interface AnalyticsPrivacy {
  /** `none`, `laplace` or `gaussian`. */
  readonly mechanism: string;
  /** Budget of the whole reply, split evenly over its statistics. */
  readonly epsilon: number;
  readonly delta: number;
  /** Laplace b or Gaussian σ of each statistic's noise, in the query's order; 0 without noise. */
  readonly noiseScales: readonly number[];
}

/** One node's answer. */
export interface NodeAnalytics {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly datasetId: string;
  /** The node's dataset's flattened features, in order. */
  readonly featureNames: readonly string[];
  /** In the query's order. */
  readonly statistics: readonly StatisticValue[];
  readonly privacy: AnalyticsPrivacy;
}

/** What {@link Analytics.query} resolves to. */
export interface AnalyticsResult {
  /** The approval hash. */
  readonly querySha256: string;
  readonly query: AnalyticsQuery;
  /** Every node that answered, by node id. */
  readonly nodes: readonly NodeAnalytics[];
  /** The statistics of the union of the nodes' rows, in the query's order. */
  readonly pooled: readonly StatisticValue[];
  /** Nodes that refused or did not answer (a policy refusal names the statistic or cell). */
  readonly failures: readonly NodeFailure[];
  /** Where the query stood on each node asked. */
  readonly approvals: readonly NodePlanStatus[];
}

/**
 * Federated analytics: statistics of datasets the researcher cannot see, per node and pooled. A
 * query is sent to the nodes holding matching datasets for their operators' approval (by hash, like
 * a training plan), then each approving node answers with aggregates only, under its policy
 * (minimum cell count, minima and maxima, differential privacy); the pooled statistics are exact
 * merges of those aggregates (quantiles within a stated bin width).
 */
export class Analytics {
  readonly #options: AnalyticsOptions;

  constructor(options: AnalyticsOptions) {
    const minNodes = options.minNodes ?? 1;
    if (!Number.isInteger(minNodes) || minNodes < 1) throw new ResearcherError('INVALID_OPTION', `Analytics: minNodes must be a positive integer, got ${minNodes}`);
    this.#options = options;
  }

  /**
   * Runs a query: checks it (`INVALID_OPTION` naming the fault), asks for approval and waits for
   * `minNodes` approvals (`APPROVAL_TIMEOUT`, `APPROVAL_REJECTED`), collects the replies and pools
   * them. Throws `NO_NODES` when no online node holds a matching dataset, `ANALYTICS_FAILED` when
   * fewer than `minNodes` nodes answered (the message lists each refusal).
   */
  async query(input: AnalyticsRequestInput, options: { signal?: AbortSignal } = {}): Promise<AnalyticsResult> {
    const { tags: ownTags, ...queryInput } = input;
    const built = buildQuery(queryInput);
    const tags = ownTags ?? this.#options.tags ?? [];
    const federation = this.#options.federation;
    const minNodes = this.#options.minNodes ?? 1;
    const request: RequestOptions = {
      experimentId: `analytics-${randomUUID()}`,
      timeoutMs: this.#options.requestTimeoutMs ?? 60_000,
      ...(options.signal !== undefined && { signal: options.signal }),
    };
    const search = await searchDatasets(federation, tags, { ...request, ...(this.#options.nodes !== undefined && { nodeIds: this.#options.nodes }) });
    if (search.matches.length === 0) {
      throw new ResearcherError('NO_NODES', `no online node holds a dataset tagged ${tags.map((t) => JSON.stringify(t)).join(', ') || '(any)'}`);
    }
    const approvals = await awaitApproval(
      {
        federation,
        plan: built.plan,
        candidates: () => Promise.resolve(search.matches.map((match) => match.nodeId)),
        requestOptions: request,
        publish: (event) => this.#options.onEvent?.(event),
        now: Date.now,
      },
      {
        description: built.query.description,
        timeoutMs: this.#options.approvalTimeoutMs ?? 600_000,
        pollIntervalMs: this.#options.approvalPollIntervalMs ?? 2_000,
        minNodes,
        ...(options.signal !== undefined && { signal: options.signal }),
      } satisfies Required<Omit<EnsureApprovedOptions, 'signal'>> & { signal?: AbortSignal },
    );
    const approved = new Set(approvals.filter((s) => s.status === 'PLAN_STATUS_APPROVED').map((s) => s.nodeId));
    const tasks = search.matches.filter((match) => approved.has(match.nodeId)).map((match) => ({ nodeId: match.nodeId, datasetId: match.dataset.id, query: built.plan }));
    const names = nodeNames(federation);
    const replies: { nodeId: string; nodeName: string; reply: AnalyticsReply__Output }[] = [];
    const failures: NodeFailure[] = [];
    for await (const outcome of federation.analytics(tasks, request)) {
      const nodeName = names.get(outcome.nodeId) ?? outcome.nodeId;
      if (outcome.ok) replies.push({ nodeId: outcome.nodeId, nodeName, reply: outcome.value });
      else failures.push({ nodeId: outcome.nodeId, nodeName, code: outcome.code, reason: outcome.message });
    }
    if (replies.length < minNodes) {
      const listed = failures.map((f) => `${f.nodeName} (${f.code}: ${f.reason})`).join('; ') || 'none';
      throw new ResearcherError('ANALYTICS_FAILED', `query "${built.query.name}" (${built.plan.sha256.slice(0, 12)}): ${replies.length} of ${tasks.length} nodes answered, minNodes=${minNodes}; failures: ${listed}`);
    }
    replies.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    return { querySha256: built.plan.sha256, query: built.query, ...readReplies(built, replies), failures, approvals };
  }
}

function buildQuery(input: AnalyticsQueryInput): BuiltAnalyticsQuery {
  try {
    return buildAnalyticsQuery(input);
  } catch (cause) {
    if (cause instanceof TrainingError) throw new ResearcherError('INVALID_OPTION', cause.message, { cause });
    throw cause;
  }
}

/** Each node's statistics and the pooled ones; throws `BAD_REPLY` for a reply of the wrong shape. */
export function readReplies(
  built: BuiltAnalyticsQuery,
  replies: readonly { nodeId: string; nodeName: string; reply: AnalyticsReply__Output }[],
): { nodes: NodeAnalytics[]; pooled: StatisticValue[] } {
  const statistics = built.query.statistics;
  for (const { nodeName, reply } of replies) {
    if (reply.querySha256 !== built.plan.sha256 || reply.results.length !== statistics.length) {
      throw new ResearcherError('BAD_REPLY', `node ${nodeName} answered query ${reply.querySha256.slice(0, 12)} with ${reply.results.length} results; asked ${built.plan.sha256.slice(0, 12)} with ${statistics.length}`);
    }
  }
  const nodes = replies.map(({ nodeId, nodeName, reply }) => ({
    nodeId,
    nodeName,
    datasetId: reply.datasetId,
    featureNames: [...reply.featureNames],
    statistics: statistics.map((request, i) => finishStatistic(request, reply.results[i] as NonNullable<(typeof reply.results)[number]>, reply, `node ${nodeName}, statistic #${i + 1}`)),
    privacy: {
      mechanism: reply.privacy?.mechanism ?? 'none',
      epsilon: reply.privacy?.epsilon ?? 0,
      delta: reply.privacy?.delta ?? 0,
      noiseScales: reply.results.map((r) => r.noiseScale),
    },
  }));
  const first = replies[0]?.reply;
  const names: NodeNames = { featureNames: first?.featureNames ?? [], classNames: first?.classNames ?? [] };
  const pooled = statistics.map((request, i) => {
    const where = `pooled statistic #${i + 1}`;
    return finishStatistic(request, poolStatistic(request, replies.map(({ reply }) => reply.results[i] as NonNullable<(typeof reply.results)[number]>), where), names, where);
  });
  return { nodes, pooled };
}
