import type { NodePolicy } from './config';
import type { DatasetRecord, PlanRecord } from './repository';

/**
 * What protects what a task sends back, as the node established it:
 * - `secagg`: a model update masked inside a secure-aggregation round the node takes part in
 *   (keys agreed, shares exchanged, threshold checked), never a flag the request sets;
 * - `plain`: a model update in the clear;
 * - `metrics-only`: metrics on the test split (evaluation), no update;
 * - `statistics-only`: per-feature count, mean and M2 of the train split, no update.
 * `requireSecureAggregation` concerns model updates: it refuses `plain` and allows the others.
 */
export type TaskProtection = 'plain' | 'secagg' | 'metrics-only' | 'statistics-only';

/** Why the node refuses a request; `code` is the contract's `ErrorCode` name. */
export interface PolicyRefusal {
  readonly code:
    | 'ERROR_CODE_PLAN_NOT_APPROVED'
    | 'ERROR_CODE_PLAN_REJECTED'
    | 'ERROR_CODE_DATASET_NOT_FOUND'
    | 'ERROR_CODE_POLICY_VIOLATION';
  readonly message: string;
}

/** What a train or evaluate request asks of the node's policy. */
export interface PolicyQuestion {
  readonly planSha256: string;
  readonly planKind: string;
  /** The plan as stored, `undefined` when the node never saw its hash. */
  readonly plan: PlanRecord | undefined;
  readonly datasetId: string;
  readonly dataset: DatasetRecord | undefined;
  /** What protects what the task sends back (see {@link TaskProtection}). */
  readonly protection: TaskProtection;
  /** The codecs a train request's plan compresses with (`compression.up` / `.down`); absent for other requests. */
  readonly compression?: { readonly up?: string; readonly down?: string };
}

/**
 * Decides whether the node may run a request; the first refusal found is returned with a message
 * the researcher can act on, `undefined` when the request is allowed.
 */
export function checkPolicy(policy: NodePolicy, question: PolicyQuestion): PolicyRefusal | undefined {
  const { plan, dataset } = question;
  if (!policy.allowedPlanKinds.includes(question.planKind)) {
    return violation(`plan kind "${question.planKind}" is not allowed on this node (allowed: ${policy.allowedPlanKinds.join(', ') || 'none'})`);
  }
  // An operator's rejection holds even on a node that runs plans without approval.
  if (plan?.approval.status === 'rejected') {
    return {
      code: 'ERROR_CODE_PLAN_REJECTED',
      message: `plan ${plan.sha256} ("${plan.name}") was rejected by ${plan.approval.by} at ${plan.approval.at}${plan.approval.notes ? `: ${plan.approval.notes}` : ''}`,
    };
  }
  if (policy.requirePlanApproval) {
    if (plan === undefined) {
      return {
        code: 'ERROR_CODE_PLAN_NOT_APPROVED',
        message: `plan ${question.planSha256} is unknown to this node; send an approval request and ask the node operator to approve it`,
      };
    }
    if (plan.approval.status === 'pending') {
      return {
        code: 'ERROR_CODE_PLAN_NOT_APPROVED',
        message: `plan ${plan.sha256} ("${plan.name}") is pending approval on this node; the node operator must approve it first`,
      };
    }
  }
  if (dataset === undefined) {
    return { code: 'ERROR_CODE_DATASET_NOT_FOUND', message: `no dataset with id "${question.datasetId}" on this node` };
  }
  if (policy.allowedDatasetTypes.length > 0 && !policy.allowedDatasetTypes.includes(dataset.dataType)) {
    return violation(`dataset ${dataset.id} is of type "${dataset.dataType}", which this node does not allow training on`);
  }
  if (dataset.sampleCount < policy.minSamplesPerDataset) {
    return violation(
      `dataset ${dataset.id} has ${dataset.sampleCount} samples, fewer than the ${policy.minSamplesPerDataset} this node requires`,
    );
  }
  if (policy.requireSecureAggregation && question.protection === 'plain') {
    return violation(
      'this node requires secure aggregation: it sends a model update only as a masked input of a secure-aggregation round it takes part in (Experiment option secureAggregation), and this request is not one',
    );
  }
  return question.compression && compressionViolation(policy, question.compression);
}

function compressionViolation(policy: NodePolicy, compression: { readonly up?: string; readonly down?: string }): PolicyRefusal | undefined {
  if (policy.requireUpdateCompression && compression.up === undefined) {
    return violation('this node requires compressed updates (policy.requireUpdateCompression); the plan declares no compression.up');
  }
  if (policy.allowedCompressionCodecs.length === 0) return undefined;
  for (const direction of ['up', 'down'] as const) {
    const codec = compression[direction];
    if (codec !== undefined && !policy.allowedCompressionCodecs.includes(codec)) {
      return violation(`compression codec "${codec}" (compression.${direction}) is not allowed on this node (allowed: ${policy.allowedCompressionCodecs.join(', ')})`);
    }
  }
  return undefined;
}

function violation(message: string): PolicyRefusal {
  return { code: 'ERROR_CODE_POLICY_VIOLATION', message };
}
