import type { SecAggParameters, SecAggRevealedShare__Output } from '@fedbiomed/proto';
import { MASKED_UPDATE_TENSOR, type AdvertisedKeys, type EncryptedShare, type RevealedShare, type UnmaskShares } from '@fedbiomed/secagg';
import { TransportError, type ResearcherServer, type Tensor } from '@fedbiomed/transport';
import type { NodeOutcome, RequestOptions, SecureAggregationChannel } from './federation';


type Outcomes = <T>(nodeIds: readonly string[], signal: AbortSignal | undefined, call: (nodeId: string) => Promise<T>) => AsyncIterable<NodeOutcome<T>>;

/** The secure-aggregation steps over the researcher's gRPC sessions, one request per node. */
export function secureAggregationChannel(server: Pick<ResearcherServer, 'request'>, outcomes: Outcomes): SecureAggregationChannel {
  const ask = async (nodeId: string, request: Parameters<ResearcherServer['request']>[1], options: RequestOptions) => {
    const { reply } = await server.request(nodeId, request, { timeoutMs: options.timeoutMs, ...(options.signal !== undefined && { signal: options.signal }) });
    return reply;
  };
  return {
    setup: (tasks, options) => {
      const byNode = new Map(tasks.map((task) => [task.nodeId, task]));
      return outcomes([...byNode.keys()], options.signal, async (nodeId) => {
        const task = byNode.get(nodeId);
        if (task === undefined) throw new TransportError('MALFORMED', `no setup task for node "${nodeId}"`, { nodeId });
        const parameters: SecAggParameters = { ...task.parameters, participants: [...task.parameters.participants], weightBounds: { ...task.parameters.weightBounds }, weighting: task.weighting };
        const reply = await ask(nodeId, { experimentId: options.experimentId, secaggSetup: { parameters, round: task.round, datasetId: task.datasetId } }, options);
        const keys = expectBody(reply.secaggSetup?.keys, 'secure-aggregation setup', nodeId);
        if (keys.nodeId !== nodeId) throw new TransportError('MALFORMED', `node "${nodeId}" advertised keys as "${keys.nodeId}"`, { nodeId });
        return { nodeId, cipherPublicKey: new Uint8Array(keys.cipherPublicKey), maskPublicKey: new Uint8Array(keys.maskPublicKey) } satisfies AdvertisedKeys;
      });
    },
    shareKeys: (nodeIds, request, options) =>
      outcomes(nodeIds, options.signal, async (nodeId) => {
        const keys = request.keys.map((k) => ({ nodeId: k.nodeId, cipherPublicKey: Buffer.from(k.cipherPublicKey), maskPublicKey: Buffer.from(k.maskPublicKey) }));
        const reply = await ask(nodeId, { experimentId: options.experimentId, secaggShareKeys: { sessionId: request.sessionId, keys, neighbours: [...request.neighboursOf(nodeId)] } }, options);
        const body = expectBody(reply.secaggShareKeys, 'secure-aggregation share-keys', nodeId);
        return body.shares.map((s): EncryptedShare => ({ from: s.fromNode, to: s.toNode, ciphertext: new Uint8Array(s.ciphertext) }));
      }),
    unmask: (nodeIds, request, options) =>
      outcomes(nodeIds, options.signal, async (nodeId) => {
        const reply = await ask(nodeId, { experimentId: options.experimentId, secaggUnmask: { sessionId: request.sessionId, survivors: [...request.survivors], dropped: [...request.dropped] } }, options);
        const body = expectBody(reply.secaggUnmask, 'secure-aggregation unmask', nodeId);
        const shares = (list: readonly SecAggRevealedShare__Output[]): RevealedShare[] => list.map((s) => ({ owner: s.owner, x: s.x, y: new Uint8Array(s.y) }));
        return { selfMaskShares: shares(body.selfMaskShares), keyShares: shares(body.keyShares) } satisfies UnmaskShares;
      }),
  };
}

/** The masked words of a secure train reply: exactly one INT32 tensor of the model's size. */
export function readMaskedUpdate(tensors: readonly Tensor[], size: number, nodeId: string): Uint32Array {
  const only = tensors[0];
  if (tensors.length !== 1 || only === undefined || only.name !== MASKED_UPDATE_TENSOR || only.dtype !== 'DTYPE_INT32' || only.data.byteLength !== size * 4) {
    throw new TransportError('MALFORMED', `node "${nodeId}" answered a secure round without one INT32 tensor "${MASKED_UPDATE_TENSOR}" of ${size} values`, { nodeId });
  }
  const { data } = only;
  return data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, size) : new Uint32Array(data.slice().buffer);
}

/** A reply's expected body, or a MALFORMED error naming the node and the request kind. */
export function expectBody<T>(body: T | null | undefined, kind: string, nodeId: string): T {
  if (body === null || body === undefined) throw new TransportError('MALFORMED', `node "${nodeId}" answered a ${kind} request with another kind of reply`, { nodeId });
  return body;
}
