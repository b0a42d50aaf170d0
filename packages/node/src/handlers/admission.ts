import { fitStandardization, standardize, type Dataset, type Standardization, type TrainTestSplit } from '@fedbiomed/datasets';
import type { Standardization__Output, TrainingPlan__Output } from '@fedbiomed/proto';
import {
  checkPlanFitsDataset,
  checkTrainingLimits,
  compressionCodecsOf,
  planCompression,
  standardizeStep,
  type CompressionSpec,
  type LimitedArgs,
  type PlanSpec,
  type StandardizeStep,
} from '@fedbiomed/training';
import type { OpenedDataset } from '../dataset-source';
import { experimentState } from '../experiment-state';
import { checkPlan } from '../plan-registry';
import { missingPluginMessage } from '../plugins';
import { checkPolicy, type TaskProtection } from '../policy';
import type { DatasetRecord } from '../repository';
import { checkArgsWithinNodeLimits, checkPlanSize } from '../task-limits';
import { errorReply, type HandlerContext, type HandlerResult } from './handler';

/** What a train or evaluate request asks to run. */
export interface TaskRequest {
  /** Audit action: "train", "evaluate", "feature-statistics" or "analytics". */
  readonly action: 'train' | 'evaluate' | 'feature-statistics' | 'analytics';
  readonly plan: TrainingPlan__Output | null | undefined;
  readonly datasetId: string;
  /** What protects the task's reply, as the handler established it. */
  readonly protection: TaskProtection;
  /** The pooled standardisation the request carries (train and evaluate). */
  readonly standardization?: Standardization__Output | null;
  /** A train request's round and training arguments, checked against the plan's limits. */
  readonly training?: { readonly round: number; readonly args: LimitedArgs };
}

/** A task the node agreed to run. */
export interface AdmittedTask {
  readonly spec: PlanSpec;
  readonly record: DatasetRecord;
  readonly opened: OpenedDataset;
  /**
   * How the features are standardised: with the pooled statistics the request carried, fitted on
   * this node's train split (`'local'`), or not at all.
   */
  readonly standardization: Standardization | 'local' | undefined;
}

/** The data a task runs on: the experiment's fixed split and the dataset, preprocessed as the plan asks. */
export interface TaskData {
  readonly dataset: Dataset;
  readonly split: TrainTestSplit;
}

/**
 * The checks before any data is touched: a well-formed request, the node's policy (plan approved
 * by hash, dataset present and allowed, policy knobs), a plan that fits the dataset and this node's
 * size limit (before any model is built), training arguments within the node's limits and the plan's
 * approved limits. A refusal is audited and returned as the reply.
 */
export async function admitTask(ctx: HandlerContext, task: TaskRequest): Promise<AdmittedTask | HandlerResult> {
  const { node } = ctx;
  const refuse = (code: Parameters<typeof errorReply>[0], message: string): HandlerResult => refuseTask(ctx, task, code, message);
  if (!task.plan || !task.plan.sha256) return refuse('ERROR_CODE_MALFORMED', `${task.action} request without a plan`);
  if (!task.datasetId) return refuse('ERROR_CODE_MALFORMED', `${task.action} request without a dataset id`);
  // Before the approval check: a plan this node approved may need a plug-in uninstalled since, and
  // one it never saw may need a plug-in it lacks; either way the researcher learns which.
  const missingPlugin = missingPluginMessage(task.plan);
  if (missingPlugin) return refuse('ERROR_CODE_POLICY_VIOLATION', missingPlugin);
  const record = node.repository.getDataset(task.datasetId);
  let compression: CompressionSpec | undefined;
  try {
    compression = task.action === 'train' ? planCompression(task.plan) : undefined;
  } catch (error) {
    return refuse('ERROR_CODE_MALFORMED', (error as Error).message);
  }
  const refusal = checkPolicy(node.config.policy, {
    planSha256: task.plan.sha256,
    planKind: task.plan.kind,
    plan: node.plans.find(task.plan.sha256),
    datasetId: task.datasetId,
    dataset: record,
    protection: task.protection,
    ...(task.action === 'train' && { compression: compressionCodecsOf(compression) }),
  });
  if (refusal) return refuse(refusal.code, refusal.message);
  if (!record) return refuse('ERROR_CODE_DATASET_NOT_FOUND', `no dataset with id "${task.datasetId}" on this node`);
  let spec: PlanSpec;
  let step: StandardizeStep | undefined;
  try {
    spec = checkPlan(task.plan);
    checkPlanFitsDataset(spec, { featureShape: record.featureShape, numClasses: record.numClasses, ...(record.target !== undefined && { target: record.target }) });
    step = standardizeStep(spec);
  } catch (error) {
    return refuse('ERROR_CODE_MALFORMED', (error as Error).message);
  }
  const tooLarge = checkPlanSize(spec, node.config.limits);
  if (tooLarge) return refuse('ERROR_CODE_POLICY_VIOLATION', tooLarge);
  const overNodeLimit = task.training && checkArgsWithinNodeLimits(task.training.args, node.config.limits);
  if (overNodeLimit) return refuse('ERROR_CODE_POLICY_VIOLATION', overNodeLimit);
  const overLimit = task.training && checkTrainingLimits(spec, task.training.args, task.training.round);
  if (overLimit) return refuse('ERROR_CODE_POLICY_VIOLATION', `${overLimit.message}, which the node operator approved`);
  const standardization = resolveStandardization(spec, step, task, record.featureShape);
  if (typeof standardization === 'object' && 'refusal' in standardization) return refuse(standardization.refusal.code, standardization.refusal.message);
  return { spec, record, opened: await ctx.openDataset(record), standardization };
}

/** Audits a refused task and returns the error reply. */
export function refuseTask(
  ctx: HandlerContext,
  task: Pick<TaskRequest, 'action' | 'plan' | 'datasetId'>,
  code: Parameters<typeof errorReply>[0],
  message: string,
): HandlerResult {
  ctx.node.repository.appendAudit({
    actor: ctx.researcherId,
    action: task.action,
    outcome: 'refused',
    ...(task.plan?.sha256 && { planSha256: task.plan.sha256 }),
    ...(task.datasetId && { datasetId: task.datasetId }),
    experimentId: ctx.request.experimentId,
    requestId: ctx.request.requestId,
    detail: `${code}: ${message}`,
  });
  return errorReply(code, message);
}

type Refusal = { readonly refusal: { readonly code: Parameters<typeof errorReply>[0]; readonly message: string } };

/**
 * What the request asks of the plan's standardize step: a feature-statistics request is answered
 * only for a plan that declares federated statistics (part of what the operator approved); a train
 * or evaluate request under such a plan must carry the pooled statistics, one mean and one positive
 * scale per feature; a plan with global statistics holds them itself.
 */
function resolveStandardization(
  spec: PlanSpec,
  step: StandardizeStep | undefined,
  task: TaskRequest,
  featureShape: readonly number[],
): AdmittedTask['standardization'] | Refusal {
  if (task.action === 'feature-statistics') {
    if (step?.statistics === 'federated') return undefined;
    const message = `plan "${spec.name}" declares no federated standardisation; this node shares feature statistics only for a plan that does`;
    return { refusal: { code: 'ERROR_CODE_POLICY_VIOLATION', message } };
  }
  if (step === undefined) return undefined;
  if (step.statistics === 'local') return 'local';
  const width = featureShape.reduce((a, b) => a * b, 1);
  if (step.statistics === 'global') {
    // The statistics are part of the plan the operator approved: applied as they are, whatever the request carries.
    if (step.mean.length === width) return { mean: [...step.mean], scale: [...step.scale] };
    const message = `plan "${spec.name}" standardises with ${step.mean.length} global means, the dataset has ${width} features`;
    return { refusal: { code: 'ERROR_CODE_MALFORMED', message } };
  }
  const received = task.standardization;
  const fault =
    received === null || received === undefined
      ? 'carries no standardisation statistics'
      : received.mean.length !== width || received.scale.length !== width
        ? `carries ${received.mean.length} means and ${received.scale.length} scales for ${width} features`
        : !received.mean.every(Number.isFinite) || !received.scale.every((s) => Number.isFinite(s) && s > 0)
          ? 'carries a non-finite mean or a scale that is not positive'
          : undefined;
  if (fault === undefined) return { mean: [...(received?.mean ?? [])], scale: [...(received?.scale ?? [])] };
  const message = `plan "${spec.name}" standardises with federated statistics, but the ${task.action} request ${fault}; ask the nodes for their feature statistics first (Experiment.fitStandardization)`;
  return { refusal: { code: 'ERROR_CODE_MALFORMED', message } };
}

/** Narrows {@link admitTask}'s result. */
export function isAdmitted(result: AdmittedTask | HandlerResult): result is AdmittedTask {
  return 'spec' in result;
}

/**
 * The split of this experiment: the dataset's own when it carries one (a split column or file, a
 * recipe's), used as is whatever ratio the request asks, else cut once with the request's ratio
 * and seed and kept in the experiment's state.
 */
export function taskSplit(ctx: HandlerContext, task: AdmittedTask, testRatio: number, seed: number): TrainTestSplit {
  const { dataset, split: fixed } = task.opened;
  if (fixed === undefined) return experimentState(ctx.node.repository, ctx.request.experimentId, task.record.id).split(dataset, testRatio, seed);
  if (testRatio > 0 && testRatio !== fixed.testRatio) {
    ctx.node.logger.info(
      { event: 'fixed-split', requestId: ctx.request.requestId, datasetId: task.record.id, testRatio, source: fixed.fixed, train: fixed.train.length, test: fixed.test.length },
      `dataset ${task.record.id} carries its own split (${fixed.fixed ?? 'fixed'}: ${fixed.train.length} train, ${fixed.test.length} test): the request's testRatio ${testRatio} is ignored`,
    );
  }
  return fixed;
}

/**
 * Why a task that reports test metrics cannot run on `split`: it has no test sample. Said with the
 * dataset and what to do, instead of scoring training rows as test rows.
 */
export function missingTestSplit(task: Pick<AdmittedTask, 'record'>, split: TrainTestSplit, asked: string): string | undefined {
  if (split.test.length > 0) return undefined;
  const { id, name } = task.record;
  const remedy = 'set testRatio above 0 in the experiment, or register the dataset with a split column or file (CSV option "split")';
  const why =
    split.fixed !== undefined
      ? `its own split (${split.fixed}) holds no test row; ${remedy}`
      : split.testRatio === 0
        ? `the request's testRatio is 0 and the dataset carries no split of its own; ${remedy}`
        : // A cut split keeps at least one row of each class for training (splitTrainTest).
          `the request's testRatio ${split.testRatio} leaves no test row among its ${split.size} rows, each class keeping one for training; give the node more rows (a simulation: a larger minPartitionSize)`;
  return `${asked}, but dataset ${id} (${name}) has no test split: ${why}`;
}

/**
 * The experiment's split ({@link taskSplit}) and the dataset standardised as the plan asks: with
 * the pooled statistics the request carried, or with this node's train statistics for
 * `statistics: 'local'`. The statistics applied are recorded in the experiment's state.
 */
export function prepareTaskData(ctx: HandlerContext, task: AdmittedTask, testRatio: number, seed: number): TaskData {
  const { dataset } = task.opened;
  const split = taskSplit(ctx, task, testRatio, seed);
  if (task.standardization === undefined) return { dataset, split };
  const stats = task.standardization === 'local' ? fitStandardization(dataset, split.train) : task.standardization;
  experimentState(ctx.node.repository, ctx.request.experimentId, task.record.id).recordStandardization(stats);
  return { dataset: standardize(dataset, stats), split };
}

/**
 * A done task's audit detail, ending with the protection it ran under, e.g. `...; protection:
 * secagg (...)`, so the operator's log says for each task what covered its reply.
 */
export function withProtection(protection: TaskProtection, detail: string, how?: string): string {
  return `${detail}; protection: ${protection}${how === undefined ? '' : ` (${how})`}`;
}
