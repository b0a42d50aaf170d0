import { createCryptoRng } from '@fedbiomed/strategy';
import { ANALYTICS_QUERY_KIND } from '@fedbiomed/training';
import { computeStatistics, featureNames, queryRows } from '../analytics/compute';
import { releaseStatistics } from '../analytics/release';
import { NodeError } from '../errors';
import { checkQuery } from '../plan-registry';
import { checkPolicy } from '../policy';
import { refuseTask } from './admission';
import type { HandlerContext, HandlerResult } from './handler';

/**
 * Answers an analytics request: only for a query this node approved by hash (or, as for plans, on
 * a node that runs plans without approval), on a dataset it holds, with the aggregates its
 * analytics policy releases (minimum cell count, minima and maxima, DP noise). Every answer and
 * refusal is audited with the query's hash.
 */
export async function handleAnalytics(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, node } = ctx;
  const body = request.analytics;
  const task = { action: 'analytics' as const, plan: body?.query, datasetId: body?.datasetId ?? '' };
  if (!body?.query?.sha256) return refuseTask(ctx, task, 'ERROR_CODE_MALFORMED', 'analytics request without a query');
  if (body.query.kind !== ANALYTICS_QUERY_KIND) {
    return refuseTask(ctx, task, 'ERROR_CODE_MALFORMED', `analytics request with a "${body.query.kind}" plan; expected an analytics query (kind "${ANALYTICS_QUERY_KIND}")`);
  }
  if (!body.datasetId) return refuseTask(ctx, task, 'ERROR_CODE_MALFORMED', 'analytics request without a dataset id');
  const record = node.repository.getDataset(body.datasetId);
  const { policy } = node.config;
  // The plan rules apply as they are (approval by hash, operator's rejection, dataset type and size).
  const refusal = checkPolicy(
    { ...policy, allowedPlanKinds: [ANALYTICS_QUERY_KIND] },
    { planSha256: body.query.sha256, planKind: ANALYTICS_QUERY_KIND, plan: node.plans.find(body.query.sha256), datasetId: body.datasetId, dataset: record, protection: 'statistics-only' },
  );
  if (refusal) return refuseTask(ctx, task, refusal.code, refusal.message);
  if (!record) return refuseTask(ctx, task, 'ERROR_CODE_DATASET_NOT_FOUND', `no dataset with id "${body.datasetId}" on this node`);
  try {
    const query = checkQuery(body.query);
    const opened = await ctx.openDataset(record);
    const rows = queryRows(query, opened.dataset, opened.split, record.id);
    const missingValues = opened.missingValues ?? record.missingValues;
    const statistics = computeStatistics(query, { dataset: opened.dataset, rows, ...(missingValues !== undefined && { missingValues }) });
    const release = releaseStatistics(statistics, policy.analytics, opened.dataset, createCryptoRng());
    const privacy = release.privacy.mechanism === 'none' ? 'no DP noise' : `${release.privacy.mechanism} noise, epsilon ${release.privacy.epsilon}`;
    node.repository.appendAudit({
      actor: ctx.researcherId,
      action: 'analytics',
      outcome: 'done',
      planSha256: body.query.sha256,
      datasetId: record.id,
      experimentId: request.experimentId,
      requestId: request.requestId,
      detail: `${statistics.length} statistic(s) of query "${query.name}" over ${rows.length} rows (${privacy})`,
    });
    return {
      body: {
        analytics: {
          datasetId: record.id,
          querySha256: body.query.sha256,
          featureNames: featureNames(opened.dataset),
          classNames: [...(opened.dataset.metadata.classNames ?? [])],
          results: release.results,
          privacy: release.privacy,
        },
      },
    };
  } catch (error) {
    if (!(error instanceof NodeError)) throw error;
    return refuseTask(ctx, task, error.code === 'POLICY_VIOLATION' ? 'ERROR_CODE_POLICY_VIOLATION' : 'ERROR_CODE_MALFORMED', error.message);
  }
}
