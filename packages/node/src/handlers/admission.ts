import { fitStandardization, standardize, type Dataset, type TrainTestSplit } from '@fedbiomed/datasets';
import type { TrainingPlan__Output } from '@fedbiomed/proto';
import { checkPlanFitsDataset, type PlanSpec } from '@fedbiomed/training';
import type { OpenedDataset } from '../dataset-source';
import { experimentState } from '../experiment-state';
import { checkPlan } from '../plan-registry';
import { checkPolicy } from '../policy';
import type { DatasetRecord } from '../repository';
import { errorReply, type HandlerContext, type HandlerResult } from './handler';

/** What a train or evaluate request asks to run. */
export interface TaskRequest {
  /** Audit action, "train" or "evaluate". */
  readonly action: string;
  readonly plan: TrainingPlan__Output | null | undefined;
  readonly datasetId: string;
  readonly secureAggregation: boolean;
}

/** A task the node agreed to run. */
export interface AdmittedTask {
  readonly spec: PlanSpec;
  readonly record: DatasetRecord;
  readonly opened: OpenedDataset;
}

/** The data a task runs on: the experiment's fixed split and the dataset, preprocessed as the plan asks. */
export interface TaskData {
  readonly dataset: Dataset;
  readonly split: TrainTestSplit;
}

/** Preprocessing steps a plan may reference, applied with statistics of the train split only. */
const PREPROCESSING = new Set(['standardize']);

/**
 * The checks before any data is touched: a well-formed request, the node's policy (plan approved
 * by hash, dataset present and allowed, policy knobs), a plan that fits the dataset. A refusal is
 * audited and returned as the reply.
 */
export async function admitTask(ctx: HandlerContext, task: TaskRequest): Promise<AdmittedTask | HandlerResult> {
  const { node, request } = ctx;
  const refuse = (code: Parameters<typeof errorReply>[0], message: string): HandlerResult => {
    node.repository.appendAudit({
      actor: ctx.researcherId,
      action: task.action,
      outcome: 'refused',
      ...(task.plan?.sha256 && { planSha256: task.plan.sha256 }),
      ...(task.datasetId && { datasetId: task.datasetId }),
      experimentId: request.experimentId,
      requestId: request.requestId,
      detail: `${code}: ${message}`,
    });
    return errorReply(code, message);
  };
  if (!task.plan || !task.plan.sha256) return refuse('ERROR_CODE_MALFORMED', `${task.action} request without a plan`);
  if (!task.datasetId) return refuse('ERROR_CODE_MALFORMED', `${task.action} request without a dataset id`);
  const record = node.repository.getDataset(task.datasetId);
  const refusal = checkPolicy(node.config.policy, {
    planSha256: task.plan.sha256,
    planKind: task.plan.kind,
    plan: node.plans.find(task.plan.sha256),
    datasetId: task.datasetId,
    dataset: record,
    secureAggregation: task.secureAggregation,
  });
  if (refusal) return refuse(refusal.code, refusal.message);
  if (!record) return refuse('ERROR_CODE_DATASET_NOT_FOUND', `no dataset with id "${task.datasetId}" on this node`);
  let spec: PlanSpec;
  try {
    spec = checkPlan(task.plan);
    checkPlanFitsDataset(spec, { featureShape: record.featureShape, numClasses: record.numClasses });
  } catch (error) {
    return refuse('ERROR_CODE_MALFORMED', (error as Error).message);
  }
  for (const step of spec.preprocessing) {
    if (!PREPROCESSING.has(step.name)) {
      return refuse('ERROR_CODE_MALFORMED', `plan "${spec.name}" asks for preprocessing "${step.name}"; this node knows: ${[...PREPROCESSING].join(', ')}`);
    }
  }
  return { spec, record, opened: await ctx.openDataset(record) };
}

/** Narrows {@link admitTask}'s result. */
export function isAdmitted(result: AdmittedTask | HandlerResult): result is AdmittedTask {
  return 'spec' in result;
}

/**
 * The split of this experiment (the recipe's own when it fixes one, else cut once with the
 * request's ratio and seed and kept), and the dataset standardised with train statistics when the
 * plan asks for it.
 */
export function prepareTaskData(ctx: HandlerContext, task: AdmittedTask, testRatio: number, seed: number): TaskData {
  const { dataset, split: fixed } = task.opened;
  const split = fixed ?? experimentState(ctx.node.repository, ctx.request.experimentId, task.record.id).split(dataset, testRatio, seed);
  const standardized = task.spec.preprocessing.some((step) => step.name === 'standardize');
  return { dataset: standardized ? standardize(dataset, fitStandardization(dataset, split.train)) : dataset, split };
}
