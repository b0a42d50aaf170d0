import { NodeError } from '../errors';
import { logApprovalRequested } from '../operator-log';
import type { PlanApproval } from '../plan-approval';
import { errorReply, type HandlerContext, type HandlerResult } from './handler';

/** Contract status of an approval state (or of a plan the node never saw). */
export function wireStatus(approval: PlanApproval | undefined) {
  if (approval === undefined) return 'PLAN_STATUS_UNKNOWN' as const;
  return ({ pending: 'PLAN_STATUS_PENDING', approved: 'PLAN_STATUS_APPROVED', rejected: 'PLAN_STATUS_REJECTED' } as const)[approval.status];
}

/**
 * Records a researcher's approval request: the plan is checked, stored as pending (or approved by
 * the allow-list) and audited; the reply says where it stands. A node operator decides later.
 */
export function handleApproval(ctx: HandlerContext): HandlerResult {
  const body = ctx.request.approval;
  if (!body?.plan) return errorReply('ERROR_CODE_MALFORMED', 'approval request without a plan');
  const researcherId = body.researcherId || ctx.researcherId;
  try {
    const record = ctx.node.plans.submit(body.plan, {
      by: researcherId,
      notes: body.description,
      requestId: ctx.request.requestId,
      experimentId: ctx.request.experimentId,
    });
    logApprovalRequested(ctx.node.logger, {
      dir: ctx.node.paths.root,
      researcherId,
      planName: record.name,
      planSha256: record.sha256,
      approval: record.approval,
      experimentId: ctx.request.experimentId,
      requestId: ctx.request.requestId,
    });
    const status = wireStatus(record.approval);
    const message =
      record.approval.status === 'pending'
        ? `plan ${record.sha256} recorded; waiting for the operator of node ${ctx.node.config.nodeName} to approve it`
        : `plan ${record.sha256} is ${record.approval.status}${record.approval.notes ? `: ${record.approval.notes}` : ''}`;
    return { body: { approval: { planSha256: record.sha256, status, message } } };
  } catch (error) {
    if (error instanceof NodeError) {
      ctx.node.repository.appendAudit({
        actor: ctx.researcherId,
        action: 'plan.submit',
        outcome: 'refused',
        planSha256: body.plan.sha256,
        experimentId: ctx.request.experimentId,
        requestId: ctx.request.requestId,
        detail: error.message,
      });
      return errorReply('ERROR_CODE_MALFORMED', `the plan was refused: ${error.message}`);
    }
    throw error;
  }
}

/** Answers where a plan stands on this node. */
export function handlePlanStatus(ctx: HandlerContext): HandlerResult {
  const sha256 = ctx.request.planStatus?.planSha256 ?? '';
  if (sha256 === '') return errorReply('ERROR_CODE_MALFORMED', 'plan status request without a plan hash');
  const record = ctx.node.plans.find(sha256);
  return { body: { planStatus: { planSha256: sha256, status: wireStatus(record?.approval), notes: record?.approval.notes ?? '' } } };
}
