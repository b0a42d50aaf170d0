import { setTimeout as sleep } from 'node:timers/promises';
import type { TrainingPlan__Output } from '@fedbiomed/proto';
import { getPlanStatus, requestPlanApproval, type NodePlanStatus } from './discovery';
import { ResearcherError } from './errors';
import type { ExperimentEvent } from './experiment-events';
import type { Federation, RequestOptions } from './federation';

/** Options of `Experiment.ensureApproved`. */
export interface EnsureApprovedOptions {
  /** Shown to node operators beside the plan. */
  readonly description?: string;
  /** How long to wait for operators (default 10 minutes). */
  readonly timeoutMs?: number;
  /** How often to ask the nodes where the plan stands (default 2 s). */
  readonly pollIntervalMs?: number;
  /** Approvals needed (default: the experiment's `minNodes`). */
  readonly minNodes?: number;
  readonly signal?: AbortSignal;
}

/** What the approval loop needs from the experiment. */
export interface ApprovalContext {
  readonly federation: Federation;
  readonly plan: TrainingPlan__Output;
  /** Ids of the online nodes holding a matching dataset (discovering newcomers first). */
  readonly candidates: () => Promise<readonly string[]>;
  readonly requestOptions: RequestOptions;
  readonly publish: (event: ExperimentEvent) => void;
  readonly now: () => number;
}

const APPROVED = 'PLAN_STATUS_APPROVED';
const PENDING = 'PLAN_STATUS_PENDING';
const REJECTED = 'PLAN_STATUS_REJECTED';

/**
 * Sends the plan for approval to the candidates, then polls where it stands until `minNodes` of
 * them approved it; newcomers (matching nodes that connect meanwhile) are asked too, and nodes that
 * forgot the plan or were unreachable are asked again. Publishes one event per node and state
 * change. Resolves to the last status of every node asked; throws `APPROVAL_REJECTED` as soon as too
 * few nodes are left to reach `minNodes`, `APPROVAL_TIMEOUT` naming the nodes still pending.
 */
export async function awaitApproval(
  context: ApprovalContext,
  options: Required<Omit<EnsureApprovedOptions, 'signal'>> & { readonly signal?: AbortSignal },
): Promise<NodePlanStatus[]> {
  const { federation, plan } = context;
  const deadline = context.now() + options.timeoutMs;
  const latest = new Map<string, NodePlanStatus>();
  const request = { ...context.requestOptions, ...(options.signal !== undefined && { signal: options.signal }) };
  for (;;) {
    const candidates = await context.candidates();
    const toAsk = candidates.filter((id) => {
      const status = latest.get(id)?.status;
      return status === undefined || (status !== APPROVED && status !== PENDING && status !== REJECTED);
    });
    const asked = toAsk.length > 0 ? await requestPlanApproval(federation, plan, { ...request, nodeIds: toAsk, description: options.description }) : [];
    const known = [...latest.keys()].filter((id) => !toAsk.includes(id));
    const polled = known.length > 0 ? await getPlanStatus(federation, plan.sha256, { ...request, nodeIds: known }) : [];
    for (const status of [...asked, ...polled]) record(context, latest, status);

    const statuses = [...latest.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    const approved = statuses.filter((s) => s.status === APPROVED);
    if (approved.length >= options.minNodes) return statuses;
    const rejected = statuses.filter((s) => s.status === REJECTED);
    const waiting = statuses.filter((s) => s.status !== APPROVED && s.status !== REJECTED);
    if (rejected.length > 0 && approved.length + waiting.length < options.minNodes) {
      throw new ResearcherError(
        'APPROVAL_REJECTED',
        `plan "${plan.name}" (${short(plan.sha256)}) was rejected by ${rejected.map(describe).join(', ')}; ` +
          `${approved.length} approved and ${waiting.length} still pending cannot reach minNodes ${options.minNodes}`,
      );
    }
    const left = deadline - context.now();
    if (left <= 0) {
      const pending = waiting.length > 0 ? `still pending on ${waiting.map((s) => s.nodeName).join(', ')}` : 'no other node holding a matching dataset answered';
      throw new ResearcherError(
        'APPROVAL_TIMEOUT',
        `plan "${plan.name}" (${short(plan.sha256)}) approved by ${approved.length} node(s) of the ${options.minNodes} needed after ${options.timeoutMs} ms; ${pending}`,
      );
    }
    try {
      await sleep(Math.min(options.pollIntervalMs, left), undefined, options.signal !== undefined ? { signal: options.signal } : {});
    } catch (cause) {
      throw new ResearcherError('ABORTED', `waiting for approval of plan "${plan.name}" was aborted`, { cause });
    }
  }
}

/** Keeps a node's latest status and publishes a change of state. */
function record(context: ApprovalContext, latest: Map<string, NodePlanStatus>, status: NodePlanStatus): void {
  const before = latest.get(status.nodeId)?.status;
  latest.set(status.nodeId, status);
  if (before === status.status) return;
  const base = { nodeId: status.nodeId, nodeName: status.nodeName, planSha256: context.plan.sha256, planName: context.plan.name };
  if (status.status === APPROVED) context.publish({ type: 'approval-granted', ...base });
  else if (status.status === REJECTED) context.publish({ type: 'approval-rejected', ...base, message: status.message });
  else if (status.status === PENDING) context.publish({ type: 'approval-pending', ...base, message: status.message });
}

function describe(status: NodePlanStatus): string {
  return status.message ? `${status.nodeName} (${status.message})` : status.nodeName;
}

/** The first 12 characters of a hash, as operators and logs show it. */
export function short(sha256: string): string {
  return sha256.slice(0, 12);
}
