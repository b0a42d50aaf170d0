/**
 * The lines a node operator reads on the console: each is logged at info (refusals at warn) with
 * an `event` field and the structured fields a JSON reader needs, and a message that reads on its own.
 */
import type { ErrorCode } from '@fedbiomed/proto';
import type { NodeLogger } from './logger';
import type { PlanApproval } from './plan-approval';

/** Every `event` field the node runtime logs (the transport adds `connected`, `reconnecting`, `refused-by-researcher`). */
export type OperatorEvent =
  | 'connecting'
  | 'approval-requested'
  | 'plan-approved'
  | 'plan-rejected'
  | 'train-received'
  | 'train-progress'
  | 'round-trained'
  | 'evaluated'
  | 'request-refused'
  | 'request-failed'
  | 'folder-lock-taken-over';

/** Metric values as `loss 0.4123, accuracy 0.8731`, in the order given. */
export function formatMetrics(values: Readonly<Record<string, number>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(4)}`)
    .join(', ');
}

/** The shell command an operator types to approve `sha256` on the node in `dir` (a 12-character prefix suffices). */
export function approveCommand(dir: string, sha256: string): string {
  return `fedbiomed node --path ${shellQuote(dir)} plan approve ${sha256.slice(0, 12)}`;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A researcher asked for a plan's approval; the node recorded it (or its allow-list approved it). */
export function logApprovalRequested(
  logger: NodeLogger,
  fields: { dir: string; researcherId: string; planName: string; planSha256: string; approval: PlanApproval; experimentId: string; requestId: string },
): void {
  const { dir, approval, ...rest } = fields;
  const event: OperatorEvent = 'approval-requested';
  const subject = `researcher ${fields.researcherId} asks to approve plan "${fields.planName}" (${fields.planSha256})`;
  if (approval.status === 'pending') {
    const command = approveCommand(dir, fields.planSha256);
    logger.info({ event, ...rest, status: approval.status, approveCommand: command }, `${subject}; to approve: ${command}`);
    return;
  }
  const decided = approval.by.startsWith('policy:') ? `approved by the allow-list: ${approval.notes}` : `already ${approval.status} by ${approval.by}`;
  logger.info({ event, ...rest, status: approval.status, decidedBy: approval.by }, `${subject}: ${decided}`);
}

/** An operator approved or rejected a plan (seen by the running node). */
export function logPlanDecision(logger: NodeLogger, fields: { planName: string; planSha256: string; approval: Exclude<PlanApproval, { status: 'pending' }> }): void {
  const { approval } = fields;
  logger.info(
    { event: `plan-${approval.status}` satisfies OperatorEvent, planName: fields.planName, planSha256: fields.planSha256, by: approval.by, notes: approval.notes },
    `plan "${fields.planName}" (${fields.planSha256.slice(0, 12)}) ${approval.status} by ${approval.by}${approval.notes ? `: ${approval.notes}` : ''}`,
  );
}

/** A train request arrived, before any check. */
export function logTrainReceived(
  logger: NodeLogger,
  fields: { requestId: string; experimentId: string; round: number; planName: string; planSha256: string; datasetId: string },
): void {
  logger.info(
    { event: 'train-received' satisfies OperatorEvent, ...fields },
    `train request ${fields.requestId}: round ${fields.round} of experiment ${fields.experimentId}, plan "${fields.planName}" (${fields.planSha256.slice(0, 12)}) on dataset ${fields.datasetId}`,
  );
}

/**
 * Returns a logger of a train request's progress (the optimiser steps done, of `totalSteps` when the
 * request fixes them) that writes at most one line per `everyMs`, so the node's log, which the GUI's
 * status page follows, shows the round advancing without one line per step.
 */
export function trainProgressLogger(
  logger: NodeLogger,
  fields: { requestId: string; experimentId: string; round: number; totalSteps?: number },
  everyMs = 1_000,
): (step: number) => void {
  let last = -Infinity;
  return (step) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    const of = fields.totalSteps === undefined ? '' : ` of ${fields.totalSteps}`;
    logger.info({ event: 'train-progress' satisfies OperatorEvent, ...fields, step }, `round ${fields.round} of experiment ${fields.experimentId}: step ${step}${of}`);
  };
}

/** A round of local training finished and its reply is about to leave. */
export function logRoundTrained(
  logger: NodeLogger,
  fields: {
    requestId: string;
    experimentId: string;
    round: number;
    datasetId: string;
    sampleCount: number;
    numUpdates: number;
    totalMs: number;
    backend: string;
    metrics: Readonly<Record<string, number>>;
  },
): void {
  const { totalMs, ...rest } = fields;
  const seconds = Number((totalMs / 1000).toFixed(3));
  const metrics = formatMetrics(fields.metrics);
  logger.info(
    { event: 'round-trained' satisfies OperatorEvent, ...rest, seconds },
    `trained round ${fields.round} of experiment ${fields.experimentId}: ${fields.sampleCount} samples, ${fields.numUpdates} updates in ${seconds.toFixed(1)} s (${fields.backend})${metrics ? `; ${metrics}` : ''}`,
  );
}

/** Weights were evaluated on the experiment's test split. */
export function logEvaluated(
  logger: NodeLogger,
  fields: { requestId: string; experimentId: string; datasetId: string; sampleCount: number; metrics: Readonly<Record<string, number>> },
): void {
  logger.info(
    { event: 'evaluated' satisfies OperatorEvent, ...fields },
    `evaluated experiment ${fields.experimentId} on dataset ${fields.datasetId}: ${fields.sampleCount} samples; ${formatMetrics(fields.metrics)}`,
  );
}

/** The contract's code without its `ERROR_CODE_` prefix, as operators read it. */
export function shortCode(code: ErrorCode): string {
  return String(code).replace(/^ERROR_CODE_/, '');
}

/** The node answered a request with an error reply: refused (policy, approval, busy…) or failed while running. */
export function logRequestError(
  logger: NodeLogger,
  outcome: 'refused' | 'failed',
  fields: { kind: string; requestId: string; experimentId: string; code: ErrorCode; reason: string },
): void {
  const code = shortCode(fields.code);
  const line = { event: `request-${outcome}` satisfies OperatorEvent, ...fields, code };
  const message = `${outcome} ${fields.kind} request ${fields.requestId}${fields.experimentId ? ` of experiment ${fields.experimentId}` : ''} (${code}): ${fields.reason}`;
  if (outcome === 'refused') logger.warn(line, message);
  else logger.error(line, message);
}
