import { createHash } from 'node:crypto';
import {
  canonicalJson,
  compressWeights,
  dpMechanism,
  resolveCodec,
  resolveDp,
  resolveOptimizer,
  trainLocal,
  usesErrorFeedback,
  type CompressionSpec,
  type DpMechanism,
  type LocalTrainingArgs,
  type OptimizerSpec,
  type WeightTensor,
} from '@fedbiomed/training';
import { MASKED_UPDATE_TENSOR, SecAggError } from '@fedbiomed/secagg';
import { packTensors, type TensorPayload } from '@fedbiomed/transport';
import { NodeError } from '../errors';
import { experimentState, type ExperimentState } from '../experiment-state';
import { logRoundTrained, logTrainReceived, trainProgressLogger } from '../operator-log';
import { describeMechanism } from '../privacy-ledger';
import { admitTask, isAdmitted, missingTestSplit, prepareTaskData, refuseTask, withProtection } from './admission';
import type { HandlerContext, HandlerResult } from './handler';
import type { SecAggSession } from '../secure-aggregation-sessions';
import { receivedShares } from './secure-aggregation';
import { packCompressed, packFlat, packWeights, receivedCompressedWeights, receivedFlat, receivedWeights } from './tensors';

/** Strategy state the node keeps per experiment when the researcher does not send it back. */
const KEPT_AUX = ['scaffold.node_control'];

/**
 * Runs one round of local training: admission (policy, plan, dataset), the experiment's fixed
 * split, `trainLocal` with progress streamed and the optimiser resumed from the experiment's last
 * round (while plan and optimiser stay the same), then the reply with weights (or the delta), strategy
 * state, metrics, sample count, timing and backend. Only parameters and metrics leave the node.
 */
export async function handleTrain(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, node } = ctx;
  const train = request.train;
  if (!train) throw new NodeError('MALFORMED_REQUEST', 'train request without a body');
  const args: LocalTrainingArgs = train.args ?? {};
  logTrainReceived(node.logger, {
    requestId: request.requestId,
    experimentId: request.experimentId,
    round: train.round,
    planName: train.plan?.name ?? '',
    planSha256: train.plan?.sha256 ?? '',
    datasetId: train.datasetId,
  });
  // The protection is what the node takes part in, not what the request claims: a round it set up
  // keys and exchanged shares for, on this dataset and round. `args.secureAggregation` alone is plain.
  const masking = train.secureAggregation;
  const session = masking ? ctx.secureAggregation.find(request.experimentId, masking.sessionId) : undefined;
  const taskRef = { action: 'train', plan: train.plan, datasetId: train.datasetId } as const;
  if (masking) {
    const fault =
      session === undefined
        ? `no secure-aggregation session ${masking.sessionId} in experiment ${request.experimentId} on this node (it restarted, or the setup step was skipped)`
        : session.datasetId !== train.datasetId || session.round !== train.round
          ? `secure-aggregation session ${masking.sessionId} was set up for dataset ${session.datasetId} round ${session.round}, not dataset ${train.datasetId} round ${train.round}`
          : Object.keys(train.aux ?? {}).length > 0
            ? `secure aggregation sums updates only: strategy "${train.strategyName}" sends per-node state (${Object.keys(train.aux ?? {}).join(', ')}) that would travel unmasked`
            : undefined;
    if (fault !== undefined) return refuseTask(ctx, taskRef, 'ERROR_CODE_POLICY_VIOLATION', fault);
  }
  const protection = session !== undefined ? 'secagg' : 'plain';
  const admitted = await admitTask(ctx, {
    ...taskRef,
    protection,
    standardization: train.standardization,
    training: { round: train.round, args },
  });
  if (!isAdmitted(admitted)) return admitted;
  const { spec, record } = admitted;

  const down = spec.compression?.down;
  const weights = down
    ? receivedCompressedWeights(ctx.tensors, train.globalWeights, down.name, spec.weights.tensors, 'global weights')
    : receivedWeights(ctx.tensors, train.globalWeights, 'global weights');
  const state = experimentState(node.repository, request.experimentId, record.id);
  const seed = Number(args.randomSeed ?? 0);
  const { dataset, split } = prepareTaskData(ctx, admitted, args.testRatio ?? 0, seed);
  if (args.testOnGlobalUpdates === true || args.testOnLocalUpdates === true) {
    const noTest = missingTestSplit(admitted, split, 'the train request asks for test metrics (testOnGlobalUpdates/testOnLocalUpdates)');
    if (noTest !== undefined) return refuseTask(ctx, { action: 'train', plan: train.plan, datasetId: train.datasetId }, 'ERROR_CODE_MALFORMED', noTest);
  }
  let mechanism: DpMechanism | undefined;
  try {
    mechanism = dpMechanism(resolveDp(args.dp), { ...args, trainSize: split.train.length });
  } catch (error) {
    return refuseTask(ctx, { action: 'train', plan: train.plan, datasetId: train.datasetId }, 'ERROR_CODE_MALFORMED', (error as Error).message);
  }
  // Charged before any data is touched, for every step the round may take: a task that fails half-way has still seen data.
  const charged = node.privacy.charge({
    datasetId: record.id,
    experimentId: request.experimentId,
    requestId: request.requestId,
    round: train.round,
    mechanism,
    requestedDelta: Number(args.dp?.delta ?? 0),
  });
  if (charged.kind === 'refused') return refuseTask(ctx, { action: 'train', plan: train.plan, datasetId: train.datasetId }, 'ERROR_CODE_POLICY_VIOLATION', charged.message);
  const privacy = charged.kind === 'charged' ? charged.spent : undefined;
  const aux: Record<string, Float32Array> = {};
  for (const [name, set] of Object.entries(train.aux ?? {})) aux[name] = receivedFlat(ctx.tensors, set, `aux "${name}"`);
  for (const name of KEPT_AUX) {
    const kept = state.getTensor(name);
    if (aux[name] === undefined && kept !== undefined && aux['scaffold.server_control'] !== undefined) aux[name] = kept;
  }
  const optimizer = resolveOptimizer(spec, args.optimizer);
  const fingerprint = optimizerFingerprint(train.plan?.sha256 ?? '', optimizer);
  const optimizerState = state.optimizerState(fingerprint);
  const queuedMs = performance.now() - ctx.receivedAt;
  const progress = trainProgressLogger(node.logger, {
    requestId: request.requestId,
    experimentId: request.experimentId,
    round: train.round,
    ...(args.numUpdates ? { totalSteps: Number(args.numUpdates) } : {}),
  });

  const result = await trainLocal({
    plan: spec,
    weights,
    dataset,
    trainIndices: split.train,
    testIndices: split.test,
    args: { ...args, randomSeed: seed + train.round },
    aux,
    onScalar: (event) => {
      ctx.emitScalar(event);
      if (event.phase === 'train') progress(event.step);
    },
    signal: ctx.signal,
    ...(optimizerState && { optimizerState }),
    // The data-parallel worker threads load no plug-ins: a plan using one trains on this thread.
    ...(ctx.parallel && spec.plugins === undefined && { parallel: ctx.parallel }),
  });

  for (const name of KEPT_AUX) {
    const value = result.aux[name];
    if (value !== undefined) state.putTensor(name, value);
  }
  state.putOptimizerState(fingerprint, result.optimizerState);
  state.recordRound(train.round, { planSha256: train.plan?.sha256 ?? '', sampleCount: result.sampleCount, numUpdates: result.numUpdates });

  const compression = spec.compression;
  // Secure aggregation masks the delta in its own fixed point; otherwise a compressed update is a delta too.
  const replyDelta = session !== undefined || train.replyDelta || compression?.up !== undefined;
  const delta = (): typeof result.weights => result.weights.map((w, i) => ({ ...w, values: subtract(w.values, weights[i]?.values) }));
  let weightsPayload: TensorPayload;
  let protectionDetail: string | undefined;
  if (session !== undefined) {
    const masked = maskedDelta(session, receivedShares(masking?.shares ?? []), delta(), split.train.length);
    if ('refusal' in masked) return refuseTask(ctx, taskRef, 'ERROR_CODE_POLICY_VIOLATION', masked.refusal);
    weightsPayload = masked.payload;
    protectionDetail = masked.detail;
  } else {
    const sent = replyDelta ? delta() : result.weights;
    weightsPayload = compression?.up ? packCompressedUpdate(compression, sent, state, compressionSeed(seed + train.round, record.id)) : packWeights(sent);
  }
  const auxPayloads: Record<string, TensorPayload> = {};
  for (const [name, values] of Object.entries(result.aux)) auxPayloads[name] = packFlat(name, values);

  node.repository.appendAudit({
    actor: ctx.researcherId,
    action: 'train',
    outcome: 'done',
    planSha256: train.plan?.sha256 ?? '',
    datasetId: record.id,
    experimentId: request.experimentId,
    requestId: request.requestId,
    detail: withProtection(
      protection,
      `round ${train.round}: ${result.numUpdates} updates on ${result.sampleCount} samples (${result.backend}), ${optimizer.name} learning rate ${optimizer.learningRate}` +
        (mechanism && privacy ? `; ${describeMechanism(mechanism)}: ε = ${privacy.epsilonRound.toPrecision(4)} at δ = ${privacy.delta} (dataset total ε = ${privacy.epsilonDataset.toPrecision(4)})` : ''),
      protectionDetail,
    ),
  });
  logRoundTrained(node.logger, {
    requestId: request.requestId,
    experimentId: request.experimentId,
    round: train.round,
    datasetId: record.id,
    sampleCount: result.sampleCount,
    numUpdates: result.numUpdates,
    totalMs: result.timing.totalMs + queuedMs,
    backend: result.backend,
    metrics: (result.metricsAfter ?? result.metricsBefore)?.values ?? {},
  });
  return {
    body: {
      train: {
        datasetId: record.id,
        round: train.round,
        sampleCount: result.sampleCount,
        trainSize: split.train.length,
        weights: weightsPayload.set,
        isDelta: replyDelta,
        ...(result.metricsBefore && { metricsBefore: result.metricsBefore }),
        ...(result.metricsAfter && { metricsAfter: result.metricsAfter }),
        timing: { queuedMs, ...result.timing, totalMs: result.timing.totalMs + queuedMs },
        aux: Object.fromEntries(Object.entries(auxPayloads).map(([name, payload]) => [name, payload.set])),
        numUpdates: result.numUpdates,
        backend: result.backend,
        ...(privacy && { privacy }),
      },
    },
    payloads: [weightsPayload, ...Object.values(auxPayloads)],
  };
}

/** Prefix of the state tensors holding the error-feedback residual, one per weight tensor. */
const RESIDUAL_STATE = 'compression.residual:';

/**
 * The update (new − global weights) encoded with the plan's `compression.up`; under error feedback
 * the residual of the last round is added first and the new one kept in the experiment's state, so
 * it survives a node restart like the optimiser state.
 */
function packCompressedUpdate(compression: CompressionSpec, update: readonly WeightTensor[], state: ExperimentState, seed: number): TensorPayload {
  const resolved = resolveCodec(compression.up as NonNullable<CompressionSpec['up']>);
  if (!usesErrorFeedback(compression)) return packCompressed(compressWeights(resolved, update, { seed }).compressed);
  const { compressed, residuals } = compressWeights(resolved, update, { seed, residuals: update.map((w) => state.getTensor(RESIDUAL_STATE + w.name)) });
  residuals?.forEach((residual, i) => state.putTensor(RESIDUAL_STATE + (update[i] as WeightTensor).name, residual));
  return packCompressed(compressed);
}

/** The round's seed mixed with the dataset id, so nodes sharing a random seed draw different roundings. */
function compressionSeed(roundSeed: number, datasetId: string): number {
  return (roundSeed ^ createHash('sha256').update(datasetId).digest().readUInt32LE(0)) >>> 0;
}

/**
 * What an optimiser state belongs to: the plan and the optimiser's name and arguments. The learning
 * rate is left out, so a schedule the researcher applies across rounds keeps the moments.
 */
function optimizerFingerprint(planSha256: string, optimizer: OptimizerSpec): string {
  return canonicalJson({ plan: planSha256, optimizer: optimizer.name, params: optimizer.params });
}

function subtract(local: Float32Array, global: Float32Array | undefined): Float32Array {
  if (global === undefined || global.length !== local.length) {
    throw new NodeError('MALFORMED_REQUEST', 'the global weights do not match the plan, no delta can be computed');
  }
  return local.map((value, i) => value - (global[i] as number));
}

/**
 * This node's masked input: the delta flattened, weighted by the session's weighting (its train
 * rows, or 1), clipped, quantised and masked. A protocol fault is a refusal naming the rule.
 */
function maskedDelta(
  session: SecAggSession,
  shares: ReturnType<typeof receivedShares>,
  delta: readonly { readonly values: Float32Array }[],
  trainRows: number,
): { payload: TensorPayload; detail: string } | { refusal: string } {
  const flat = new Float32Array(delta.reduce((n, d) => n + d.values.length, 0));
  let offset = 0;
  for (const d of delta) {
    flat.set(d.values, offset);
    offset += d.values.length;
  }
  const weight = session.weighting === 'uniform' ? 1 : trainRows;
  try {
    const words = session.client.maskInput(shares, flat, weight);
    const record = session.client.maskingRecord;
    const detail = `session ${record?.sessionId}: ${record?.participants} participants, masked with ${record?.maskedWith} neighbours, threshold ${record?.threshold}, ${record?.clipped} coordinates clipped to ±${session.client.parameters.clipRange}, weight ${weight}`;
    const data = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
    return { payload: packTensors([{ name: MASKED_UPDATE_TENSOR, dtype: 'DTYPE_INT32', shape: [words.length], data }]), detail };
  } catch (error) {
    if (error instanceof SecAggError) return { refusal: error.message };
    throw error;
  }
}
