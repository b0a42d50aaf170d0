import { ANALYTICS_QUERY_KIND, describeAnalyticsQuery, formatPlanSummary, readAnalyticsQuery, summarizePlan, TrainingError, validatePlan, type AnalyticsQuery, type PlanSpec } from '@fedbiomed/training';
import type { TrainingPlan } from '@fedbiomed/proto';
import { NodeError } from './errors';
import type { NodePolicy } from './config';
import { withInstallAdvice } from './plugins';
import { reducePlanApproval, type PlanApproval, type PlanEvent } from './plan-approval';
import type { NodeRepository, PlanRecord } from './repository';
import { checkPlanSize, type TaskLimits } from './task-limits';

/** Who acts and why, for the audit table. */
export interface Decision {
  /** Operator name, researcher id, or "policy". */
  readonly by: string;
  readonly notes?: string;
  /** Request and experiment a researcher's submission came with. */
  readonly requestId?: string;
  readonly experimentId?: string;
}

/** The plans a node knows, their approval and the audit of every decision. */
export interface PlanRegistry {
  /**
   * Checks a plan (hash, canonical form, built-in classes only, within the node's size limit) and
   * records it as pending, or approved when the allow-list covers every layer. A known plan keeps its state.
   *
   * @throws NodeError INVALID_PLAN naming the fault
   */
  submit(plan: TrainingPlan, decision: Decision): PlanRecord;
  approve(sha256: string, decision: Decision): PlanRecord;
  reject(sha256: string, decision: Decision): PlanRecord;
  /** The plan with this hash, or `undefined`. */
  find(sha256: string): PlanRecord | undefined;
  /** The plan with this hash (a unique prefix of at least 8 characters also works). */
  get(sha256: string): PlanRecord;
  list(): PlanRecord[];
}

/** Layer class names of a plan's model topology, in order (e.g. `["Dense", "Dense"]`). */
export function planLayerClasses(spec: PlanSpec): string[] {
  const classes: string[] = [];
  const visit = (value: unknown, inLayers: boolean): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, inLayers);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (inLayers && typeof record['class_name'] === 'string') classes.push(record['class_name']);
    for (const [key, item] of Object.entries(record)) visit(item, key === 'layers');
  };
  visit(spec.modelTopology, false);
  return classes;
}

/** Parses and checks a stored or submitted plan; the error says what is wrong. */
export function checkPlan(plan: TrainingPlan): PlanSpec {
  try {
    return validatePlan(plan).spec;
  } catch (error) {
    const missingPlugin = error instanceof TrainingError && error.code === 'PLUGIN_MISSING';
    throw new NodeError('INVALID_PLAN', missingPlugin ? withInstallAdvice(error.message) : (error as Error).message, { cause: error });
  }
}

/**
 * Builds the plan registry over the repository, with the node's policy for auto-approval and, when
 * given, its limits: a plan beyond `limits.maxParameters` is refused at submission, so neither an
 * operator nor the allow-list can approve it.
 */
export function createPlanRegistry(repository: NodeRepository, policy: NodePolicy, limits?: TaskLimits): PlanRegistry {
  const transition = (sha256: string, event: PlanEvent, action: string, decision: Decision): PlanRecord => {
    const record = registry.get(sha256);
    const approval = reducePlanApproval(record.approval, event);
    const next = { ...record, approval };
    repository.transaction(() => {
      repository.savePlan(next);
      audit(repository, action, approval, next.sha256, decision);
    });
    return next;
  };

  const registry: PlanRegistry = {
    submit(plan, decision) {
      const { name, kind, autoApproval } = plan.kind === ANALYTICS_QUERY_KIND ? checkedQuery(plan, policy) : checkedPlan(plan, policy, limits);
      const sha256 = plan.sha256 ?? '';
      return repository.transaction(() => {
        const known = repository.getPlan(sha256);
        const at = new Date().toISOString();
        let approval = reducePlanApproval(known?.approval, { type: 'submitted', notes: decision.notes ?? '' });
        if (autoApproval !== undefined) approval = reducePlanApproval(approval, { type: 'auto-approved', at, reason: autoApproval });
        const record: PlanRecord = known
          ? { ...known, approval }
          : {
              sha256,
              name: plan.name ?? name,
              kind: plan.kind ?? kind,
              canonicalJson: plan.canonicalJson ?? '',
              approval,
              registeredAt: at,
              registeredBy: decision.by,
            };
        repository.savePlan(record);
        audit(repository, 'plan.submit', approval, sha256, decision);
        return record;
      });
    },
    approve(sha256, decision) {
      return transition(sha256, { type: 'approved', by: decision.by, at: new Date().toISOString(), ...notes(decision) }, 'plan.approve', decision);
    },
    reject(sha256, decision) {
      return transition(sha256, { type: 'rejected', by: decision.by, at: new Date().toISOString(), ...notes(decision) }, 'plan.reject', decision);
    },
    find(sha256) {
      return repository.getPlan(sha256);
    },
    get(sha256) {
      const exact = repository.getPlan(sha256);
      if (exact) return exact;
      const matches = sha256.length >= 8 ? repository.listPlans().filter((plan) => plan.sha256.startsWith(sha256)) : [];
      if (matches.length === 1 && matches[0]) return matches[0];
      throw new NodeError(
        'PLAN_NOT_FOUND',
        matches.length > 1 ? `plan hash prefix ${sha256} matches ${matches.length} plans; give more characters` : `no plan with hash ${sha256}; see \`fedbiomed node plan list\``,
      );
    },
    list() {
      return repository.listPlans();
    },
  };
  return registry;
}

/** What `submit` needs of a plan or query: its name and kind, and why the policy approves it on arrival, if it does. */
interface Submission {
  readonly name: string;
  readonly kind: string;
  readonly autoApproval?: string;
}

function checkedPlan(plan: TrainingPlan, policy: NodePolicy, limits: TaskLimits | undefined): Submission {
  const spec = checkPlan(plan);
  const tooLarge = limits && checkPlanSize(spec, limits);
  if (tooLarge) throw new NodeError('INVALID_PLAN', tooLarge);
  const layers = planLayerClasses(spec);
  const allowed = new Set(policy.autoApproveLayers);
  const covered = allowed.size > 0 && layers.length > 0 && layers.every((layer) => allowed.has(layer));
  return { name: spec.name, kind: spec.kind, ...(covered && { autoApproval: `every layer (${[...new Set(layers)].join(', ')}) is on the allow-list` }) };
}

function checkedQuery(plan: TrainingPlan, policy: NodePolicy): Submission {
  const query = checkQuery(plan);
  const auto = policy.analytics.autoApprove ? { autoApproval: 'analytics queries are approved by policy (analytics.autoApprove); each reply is checked against the analytics policy' } : {};
  return { name: query.name, kind: ANALYTICS_QUERY_KIND, ...auto };
}

/** Parses and checks a stored or submitted analytics query; the error says what is wrong. */
export function checkQuery(plan: TrainingPlan): AnalyticsQuery {
  try {
    return readAnalyticsQuery(plan);
  } catch (error) {
    throw new NodeError('INVALID_PLAN', (error as Error).message, { cause: error });
  }
}

function notes(decision: Decision): { notes?: string } {
  return decision.notes === undefined ? {} : { notes: decision.notes };
}

function audit(repository: NodeRepository, action: string, approval: PlanApproval, sha256: string, decision: Decision): void {
  repository.appendAudit({
    actor: decision.by,
    action,
    outcome: approval.status,
    planSha256: sha256,
    ...(decision.requestId !== undefined && { requestId: decision.requestId }),
    ...(decision.experimentId !== undefined && { experimentId: decision.experimentId }),
    detail: approval.status === 'pending' ? (decision.notes ?? '') : approval.notes,
  });
}

/** A stored plan printed readably (layers, parameter counts, loss, optimiser, metrics), or an analytics query one statistic a line. */
export function describePlan(record: PlanRecord): string {
  if (record.kind === ANALYTICS_QUERY_KIND) return describeAnalyticsQuery(checkQuery(record));
  return formatPlanSummary(summarizePlan(checkPlan(record)));
}
