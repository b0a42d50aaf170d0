import { featureMoments } from '@fedbiomed/datasets';
import { NodeError } from '../errors';
import { admitTask, isAdmitted, taskSplit, withProtection } from './admission';
import { errorReply, type HandlerContext, type HandlerResult } from './handler';

/**
 * Fewest train rows a node computes statistics on: the mean of a single row is that row. A node's
 * `policy.minSamplesPerDataset` applies on top, as for every task.
 */
export const MIN_STATISTICS_ROWS = 2;

/**
 * Answers a feature-statistics request with the count, per-feature mean and M2 of the experiment's
 * train split (the split its rounds will train on): aggregates only, never rows, and only for an
 * approved plan that declares federated standardisation.
 */
export async function handleFeatureStatistics(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, node } = ctx;
  const body = request.featureStatistics;
  if (!body) throw new NodeError('MALFORMED_REQUEST', 'feature-statistics request without a body');
  // Aggregates, not an update: `requireSecureAggregation` (which protects updates) allows them.
  const admitted = await admitTask(ctx, { action: 'feature-statistics', plan: body.plan, datasetId: body.datasetId, protection: 'statistics-only' });
  if (!isAdmitted(admitted)) return admitted;
  const { record, opened } = admitted;
  const split = taskSplit(ctx, admitted, body.testRatio, Number(body.randomSeed ?? 0));
  const audit = (outcome: string, detail: string): void => {
    node.repository.appendAudit({
      actor: ctx.researcherId,
      action: 'feature-statistics',
      outcome,
      planSha256: body.plan?.sha256 ?? '',
      datasetId: record.id,
      experimentId: request.experimentId,
      requestId: request.requestId,
      detail: withProtection('statistics-only', detail),
    });
  };
  if (split.train.length < MIN_STATISTICS_ROWS) {
    const message = `dataset ${record.id} has ${split.train.length} train rows; this node shares feature statistics of at least ${MIN_STATISTICS_ROWS}`;
    audit('refused', `ERROR_CODE_POLICY_VIOLATION: ${message}`);
    return errorReply('ERROR_CODE_POLICY_VIOLATION', message);
  }
  const moments = featureMoments(opened.dataset, split.train);
  audit('done', `count, mean and M2 of ${moments.mean.length} features over ${moments.count} train rows`);
  return { body: { featureStatistics: { datasetId: record.id, count: moments.count, mean: [...moments.mean], m2: [...moments.m2] } } };
}
