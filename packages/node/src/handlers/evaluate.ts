import { evaluateModel, planToModel } from '@fedbiomed/training';
import { NodeError } from '../errors';
import { logEvaluated } from '../operator-log';
import { admitTask, isAdmitted, missingTestSplit, prepareTaskData, refuseTask, withProtection } from './admission';
import type { HandlerContext, HandlerResult } from './handler';
import { receivedWeights } from './tensors';

/** Evaluates given weights on the experiment's fixed test split of a dataset. */
export async function handleEvaluate(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, node } = ctx;
  const body = request.evaluate;
  if (!body) throw new NodeError('MALFORMED_REQUEST', 'evaluate request without a body');
  // An evaluation sends metrics on the test split, no model update: `requireSecureAggregation`
  // (which protects updates) allows it, and the audit says it ran as `metrics-only`.
  const admitted = await admitTask(ctx, {
    action: 'evaluate',
    plan: body.plan,
    datasetId: body.datasetId,
    protection: 'metrics-only',
    standardization: body.standardization,
  });
  if (!isAdmitted(admitted)) return admitted;
  const { spec, record } = admitted;
  const weights = receivedWeights(ctx.tensors, body.weights, 'weights');
  const { dataset, split } = prepareTaskData(ctx, admitted, body.testRatio, Number(body.randomSeed ?? 0));
  const noTest = missingTestSplit(admitted, split, 'evaluate reports metrics on test rows');
  if (noTest !== undefined) return refuseTask(ctx, { action: 'evaluate', plan: body.plan, datasetId: body.datasetId }, 'ERROR_CODE_MALFORMED', noTest);
  const model = await planToModel(spec, weights);
  try {
    const metrics = await evaluateModel({
      model,
      loss: spec.loss,
      metrics: body.metrics.length > 0 ? body.metrics : spec.metrics,
      dataset,
      indices: split.test,
      signal: ctx.signal,
      scoreHistograms: true,
      ...(body.concordanceBinning ? { concordanceBinning: body.concordanceBinning } : {}),
    });
    node.repository.appendAudit({
      actor: ctx.researcherId,
      action: 'evaluate',
      outcome: 'done',
      planSha256: body.plan?.sha256 ?? '',
      datasetId: record.id,
      experimentId: request.experimentId,
      requestId: request.requestId,
      detail: withProtection('metrics-only', `${metrics.sampleCount} samples`),
    });
    logEvaluated(node.logger, {
      requestId: request.requestId,
      experimentId: request.experimentId,
      datasetId: record.id,
      sampleCount: metrics.sampleCount,
      metrics: metrics.values,
    });
    // Counts per score bin or survival cell only (no sample's score, time or label), so the
    // researcher can pool the AUC and the C-index.
    const { scoreHistograms, concordanceHistogram, ...metricSet } = metrics;
    return { body: { evaluate: { datasetId: record.id, metrics: metricSet, scoreHistograms, ...(concordanceHistogram ? { concordanceHistogram } : {}) } } };
  } finally {
    model.dispose();
  }
}
