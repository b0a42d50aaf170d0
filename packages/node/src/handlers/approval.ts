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
 * Where a plan stands for the researcher: on a node whose policy runs plans without approval
 * (`requirePlanApproval: false`), a plan its operator has not decided on is approved by that
 * policy, since the node would run it; the answer is audited as such. An operator's decision stands.
 */
function answeredStatus(ctx: HandlerContext, sha256: string, approval: PlanApproval | undefined): { status: ReturnType<typeof wireStatus>; notes: string } {
  if (ctx.node.config.policy.requirePlanApproval || (approval !== undefined && approval.status !== 'pending')) {
    return { status: wireStatus(approval), notes: approval?.notes ?? '' };
  }
  const notes = `approved by the node's policy: requirePlanApproval is false on node ${ctx.node.config.nodeName}`;
  ctx.node.repository.appendAudit({
    actor: 'policy',
    action: 'plan.status',
    outcome: 'approved',
    planSha256: sha256,
    experimentId: ctx.request.experimentId,
    requestId: ctx.request.requestId,
    detail: notes,
  });
  return { status: 'PLAN_STATUS_APPROVED', notes };
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
    const { status, notes } = answeredStatus(ctx, record.sha256, record.approval);
    const message =
      status === 'PLAN_STATUS_PENDING'
        ? `plan ${record.sha256} recorded; waiting for the operator of node ${ctx.node.config.nodeName} to approve it`
        : `plan ${record.sha256} is ${status === 'PLAN_STATUS_APPROVED' ? 'approved' : 'rejected'}${notes ? `: ${notes}` : ''}`;
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
  const { status, notes } = answeredStatus(ctx, sha256, ctx.node.plans.find(sha256)?.approval);
  return { body: { planStatus: { planSha256: sha256, status, notes } } };
}
