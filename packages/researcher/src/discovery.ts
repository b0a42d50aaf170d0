import type { DatasetMetadata__Output, TrainingPlan } from '@fedbiomed/proto';
import type { NodeFailure } from './experiment-results';
import type { Federation, RequestOptions } from './federation';

/** A node holding a dataset that matches the experiment's tags. */
export interface DatasetMatch {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly dataset: DatasetMetadata__Output;
}

/** Where a plan stands on one node. */
export interface NodePlanStatus {
  readonly nodeId: string;
  readonly nodeName: string;
  /** `PLAN_STATUS_APPROVED`, `..._PENDING`, `..._REJECTED`, `..._UNKNOWN`, or `UNREACHABLE` when the node did not answer. */
  readonly status: string;
  readonly message: string;
}

/** Outcome of a search: one match per node that answered with a dataset, failures for the others. */
export interface SearchResult {
  readonly matches: readonly DatasetMatch[];
  /** Nodes that answered with no matching dataset. */
  readonly withoutMatch: readonly string[];
  readonly failures: readonly NodeFailure[];
}

/**
 * Asks online nodes (all, or those of `nodeIds`) for datasets carrying every tag. A node with
 * several matches contributes its first; nodes' tags are kept disjoint by the node registry, so
 * this only happens with overlapping tag queries.
 */
export async function searchDatasets(
  federation: Federation,
  tags: readonly string[],
  options: RequestOptions & { readonly nodeIds?: readonly string[] },
): Promise<SearchResult> {
  const names = nodeNames(federation);
  const targets = onlineTargets(federation, options.nodeIds);
  const matches: DatasetMatch[] = [];
  const withoutMatch: string[] = [];
  const failures: NodeFailure[] = [];
  for await (const outcome of federation.search(targets, tags, options)) {
    const nodeName = names.get(outcome.nodeId) ?? outcome.nodeId;
    if (!outcome.ok) {
      failures.push({ nodeId: outcome.nodeId, nodeName, code: outcome.code, reason: outcome.message });
      continue;
    }
    const dataset = outcome.value.datasets[0];
    if (dataset === undefined) withoutMatch.push(outcome.nodeId);
    else matches.push({ nodeId: outcome.nodeId, nodeName, dataset });
  }
  matches.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  return { matches, withoutMatch: withoutMatch.sort(), failures };
}

/** Sends `plan` to each node for approval and reports each node's answer. */
export async function requestPlanApproval(
  federation: Federation,
  plan: TrainingPlan,
  options: RequestOptions & { readonly nodeIds?: readonly string[]; readonly description?: string },
): Promise<NodePlanStatus[]> {
  const targets = onlineTargets(federation, options.nodeIds);
  const outcomes = federation.requestApproval(targets, { plan, description: options.description ?? '' }, options);
  return collectStatuses(federation, outcomes, (reply) => ({ status: reply.status, message: reply.message }));
}

/** Asks each node where `planSha256` stands. */
export async function getPlanStatus(
  federation: Federation,
  planSha256: string,
  options: RequestOptions & { readonly nodeIds?: readonly string[] },
): Promise<NodePlanStatus[]> {
  const targets = onlineTargets(federation, options.nodeIds);
  const outcomes = federation.planStatus(targets, planSha256, options);
  return collectStatuses(federation, outcomes, (reply) => ({ status: reply.status, message: reply.notes }));
}

async function collectStatuses<T>(
  federation: Federation,
  outcomes: AsyncIterable<{ ok: true; nodeId: string; value: T } | { ok: false; nodeId: string; code: string; message: string }>,
  read: (reply: T) => { status: string; message: string },
): Promise<NodePlanStatus[]> {
  const names = nodeNames(federation);
  const statuses: NodePlanStatus[] = [];
  for await (const outcome of outcomes) {
    const nodeName = names.get(outcome.nodeId) ?? outcome.nodeId;
    statuses.push(
      outcome.ok
        ? { nodeId: outcome.nodeId, nodeName, ...read(outcome.value) }
        : { nodeId: outcome.nodeId, nodeName, status: 'UNREACHABLE', message: `${outcome.code}: ${outcome.message}` },
    );
  }
  return statuses.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

/** Online node ids, restricted to `only` when given, sorted. */
export function onlineTargets(federation: Federation, only?: readonly string[]): string[] {
  const allowed = only === undefined ? undefined : new Set(only);
  return federation
    .listNodes()
    .filter((node) => node.online && (allowed === undefined || allowed.has(node.id)))
    .map((node) => node.id)
    .sort();
}

/** Node id → display name. */
export function nodeNames(federation: Federation): Map<string, string> {
  return new Map(federation.listNodes().map((node) => [node.id, node.name]));
}
