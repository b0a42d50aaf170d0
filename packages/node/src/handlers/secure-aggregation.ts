import type { SecAggParameters__Output, SecAggRevealedShare, SecAggEncryptedShare__Output } from '@fedbiomed/proto';
import { SecAggClient, SecAggError, type EncryptedShare, type RevealedShare, type SecAggParameters } from '@fedbiomed/secagg';
import { NodeError } from '../errors';
import { errorReply, type HandlerContext, type HandlerResult } from './handler';
import type { SecAggSession } from '../secure-aggregation-sessions';

/** Step 0: checks the round's parameters and creates this node's round keys. */
export function handleSecAggSetup(ctx: HandlerContext): HandlerResult {
  const body = ctx.request.secaggSetup;
  if (!body?.parameters) throw new NodeError('MALFORMED_REQUEST', 'secure-aggregation setup without parameters');
  const weighting = body.parameters.weighting;
  if (weighting !== 'dataset_size' && weighting !== 'uniform') {
    return refuse(ctx, 'secagg.setup', `weighting "${weighting}" is not one a node can apply before masking (dataset_size or uniform)`);
  }
  if (ctx.node.repository.getDataset(body.datasetId) === undefined) {
    return errorReply('ERROR_CODE_DATASET_NOT_FOUND', `no dataset with id "${body.datasetId}" on this node`);
  }
  return withSecAgg(ctx, 'secagg.setup', () => {
    const client = new SecAggClient(ctx.node.config.nodeId, toParameters(body.parameters as SecAggParameters__Output));
    ctx.secureAggregation.open({ client, experimentId: ctx.request.experimentId, datasetId: body.datasetId, round: body.round, weighting });
    const keys = client.advertiseKeys();
    return { body: { secaggSetup: { keys: { nodeId: keys.nodeId, cipherPublicKey: Buffer.from(keys.cipherPublicKey), maskPublicKey: Buffer.from(keys.maskPublicKey) } } } };
  });
}

/** Step 1: checks the researcher's neighbour list against the round's graph, then splits and encrypts this node's secrets for its share holders. */
export function handleSecAggShareKeys(ctx: HandlerContext): HandlerResult {
  const body = ctx.request.secaggShareKeys;
  if (!body) throw new NodeError('MALFORMED_REQUEST', 'secure-aggregation share-keys request without a body');
  const session = requireSession(ctx, body.sessionId);
  return withSecAgg(ctx, 'secagg.share-keys', () => {
    const keys = body.keys.map((k) => ({ nodeId: k.nodeId, cipherPublicKey: new Uint8Array(k.cipherPublicKey), maskPublicKey: new Uint8Array(k.maskPublicKey) }));
    const shares = session.client.shareKeys(keys, body.neighbours);
    return { body: { secaggShareKeys: { shares: shares.map((s) => ({ fromNode: s.from, toNode: s.to, ciphertext: Buffer.from(s.ciphertext) })) } } };
  });
}

/**
 * Step 3: reveals shares for unmasking, under the client's rules (never both shares of one node,
 * never below the threshold). Every reveal is audited with the owners whose shares left the node.
 */
export function handleSecAggUnmask(ctx: HandlerContext): HandlerResult {
  const body = ctx.request.secaggUnmask;
  if (!body) throw new NodeError('MALFORMED_REQUEST', 'secure-aggregation unmask request without a body');
  const session = requireSession(ctx, body.sessionId);
  return withSecAgg(ctx, 'secagg.unmask', () => {
    const revealed = session.client.unmask({ survivors: body.survivors, dropped: body.dropped });
    ctx.node.repository.appendAudit({
      actor: ctx.researcherId,
      action: 'secagg.unmask',
      outcome: 'done',
      datasetId: session.datasetId,
      experimentId: ctx.request.experimentId,
      requestId: ctx.request.requestId,
      detail: `session ${body.sessionId}: self-mask shares of ${owners(revealed.selfMaskShares)}; mask-key shares of ${owners(revealed.keyShares)}`,
    });
    const wire = (shares: readonly RevealedShare[]): SecAggRevealedShare[] => shares.map((s) => ({ owner: s.owner, x: s.x, y: Buffer.from(s.y) }));
    return { body: { secaggUnmask: { selfMaskShares: wire(revealed.selfMaskShares), keyShares: wire(revealed.keyShares) } } };
  });
}

/** The session a request names, or a MALFORMED error naming it. */
function requireSession(ctx: HandlerContext, sessionId: string): SecAggSession {
  const session = ctx.secureAggregation.find(ctx.request.experimentId, sessionId);
  if (session === undefined) {
    throw new NodeError('MALFORMED_REQUEST', `no secure-aggregation session ${sessionId} in experiment ${ctx.request.experimentId} on this node (it restarted, or the setup step was skipped)`);
  }
  return session;
}

/** Shares received on the wire, in the package's terms. */
export function receivedShares(shares: readonly SecAggEncryptedShare__Output[]): EncryptedShare[] {
  return shares.map((s) => ({ from: s.fromNode, to: s.toNode, ciphertext: new Uint8Array(s.ciphertext) }));
}

/** Runs a protocol step; a `SecAggError` becomes an audited policy refusal naming the rule. */
function withSecAgg(ctx: HandlerContext, action: string, step: () => HandlerResult): HandlerResult {
  try {
    return step();
  } catch (error) {
    if (error instanceof SecAggError) return refuse(ctx, action, error.message);
    throw error;
  }
}

function refuse(ctx: HandlerContext, action: string, message: string): HandlerResult {
  ctx.node.repository.appendAudit({
    actor: ctx.researcherId,
    action,
    outcome: 'refused',
    experimentId: ctx.request.experimentId,
    requestId: ctx.request.requestId,
    detail: `ERROR_CODE_POLICY_VIOLATION: ${message}`,
  });
  return errorReply('ERROR_CODE_POLICY_VIOLATION', message);
}

function owners(shares: readonly RevealedShare[]): string {
  return shares.length === 0 ? 'none' : shares.map((s) => s.owner).join(', ');
}

function toParameters(wire: SecAggParameters__Output): SecAggParameters {
  return {
    sessionId: wire.sessionId,
    participants: [...wire.participants],
    threshold: wire.threshold,
    neighbours: wire.neighbours,
    clipRange: wire.clipRange,
    weightBounds: { ...wire.weightBounds },
  };
}
