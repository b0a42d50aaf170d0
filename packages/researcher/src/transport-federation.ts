import type { Request, TensorSet__Output, TrainReply__Output } from '@fedbiomed/proto';
import { flattenTensors, type ParameterLayout } from '@fedbiomed/strategy';
import { compressWeights, decompressWeights, planCompression, resolveCodec, type CompressionSpec } from '@fedbiomed/training';
import {
  asFloat32Array,
  float32Tensor,
  packTensors,
  TransportError,
  type NodeReply,
  type ResearcherServer,
  type Tensor,
  type TensorPayload,
} from '@fedbiomed/transport';
import { fanOut, type Settled } from './fan-out';
import type { AnalyticsFederation, AnalyticsTask, EvaluateTask, FeatureStatisticsTask, FederationEvent, NodeOutcome, Standardization, TrainOutcome, TrainTask } from './federation';
import { MASKED_UPDATE_TENSOR } from '@fedbiomed/secagg';
import { expectBody, readMaskedUpdate, secureAggregationChannel } from './transport-secure-aggregation';

/**
 * What {@link createTransportFederation} uses of `@fedbiomed/transport`'s `ResearcherServer`: the
 * node list, one request with its tensors, and the server's events. A simulation supplies an
 * in-process channel of the same shape, so its experiments go through this very federation.
 */
export type RequestChannel = Pick<ResearcherServer, 'nodes' | 'request' | 'on'>;

/**
 * A {@link Federation} over `@fedbiomed/transport`'s `ResearcherServer` (or another
 * {@link RequestChannel}): each call becomes one request per node, weights travel as chunked
 * float32 tensors named as in the layout, and transport failures become outcome codes
 * (`NODE_OFFLINE`, `TIMEOUT`, `UNAVAILABLE`, or the node's own error code such as `PLAN_NOT_APPROVED`).
 */
export function createTransportFederation(server: RequestChannel): AnalyticsFederation {
  const outcomes = async function* <T>(
    nodeIds: readonly string[],
    signal: AbortSignal | undefined,
    call: (nodeId: string) => Promise<T>,
  ): AsyncGenerator<NodeOutcome<T>> {
    for await (const settled of fanOut(nodeIds, call, signal)) yield toOutcome(settled);
  };
  return {
    listNodes: () => server.nodes().map((node) => ({ id: node.id, name: node.name, online: node.state === 'online' })),

    search: (nodeIds, tags, options) =>
      outcomes(nodeIds, options.signal, async (nodeId) => {
        const { reply } = await server.request(nodeId, { experimentId: options.experimentId, search: { tags: [...tags] } }, requestOptions(options));
        return expectBody(reply.search, 'search', nodeId);
      }),

    requestApproval: (nodeIds, request, options) =>
      outcomes(nodeIds, options.signal, async (nodeId) => {
        const body = { plan: request.plan, description: request.description };
        const { reply } = await server.request(nodeId, { experimentId: options.experimentId, approval: body }, requestOptions(options));
        return expectBody(reply.approval, 'approval', nodeId);
      }),

    planStatus: (nodeIds, planSha256, options) =>
      outcomes(nodeIds, options.signal, async (nodeId) => {
        const { reply } = await server.request(nodeId, { experimentId: options.experimentId, planStatus: { planSha256 } }, requestOptions(options));
        return expectBody(reply.planStatus, 'planStatus', nodeId);
      }),

    train: (tasks, options) => {
      const packer = new PayloadCache();
      const byNode = new Map(tasks.map((task) => [task.nodeId, task]));
      return outcomes([...byNode.keys()], options.signal, async (nodeId) => {
        const task = byNode.get(nodeId) as TrainTask;
        const compression = planCompression(task.plan);
        const weights = compression?.down ? packer.packCompressed(task.layout, task.weights, compression.down, task.round) : packer.pack(task.layout, task.weights);
        const aux = Object.entries(task.aux).map(([key, values]) => [key, packer.pack(task.layout, values)] as const);
        const request: Request = {
          experimentId: options.experimentId,
          train: {
            round: task.round,
            datasetId: task.datasetId,
            plan: task.plan,
            globalWeights: weights.set,
            args: task.args,
            aux: Object.fromEntries(aux.map(([key, payload]) => [key, payload.set])),
            strategyName: task.strategyName,
            // A compressed update is always a delta (new − global): small values that quantise well.
            replyDelta: compression?.up !== undefined,
            ...standardizationField(task.standardization),
            ...(task.masking !== undefined && {
              secureAggregation: { sessionId: task.masking.sessionId, shares: task.masking.shares.map((s) => ({ fromNode: s.from, toNode: s.to, ciphertext: Buffer.from(s.ciphertext) })) },
            }),
          },
        };
        const payloads = [weights, ...aux.map(([, p]) => p)];
        const answer = await server.request(nodeId, request, { ...requestOptions(options), tensors: payloads });
        const received = [...answer.tensors.values()].flat();
        return {
          ...readTrainReply(answer, task.layout, { masked: task.masking !== undefined, compression }),
          bytesSent: tensorBytes(payloads.flatMap((p) => p.tensors)),
          bytesReceived: tensorBytes(received),
        };
      });
    },

    evaluate: (tasks, options) => {
      const packer = new PayloadCache();
      const byNode = new Map(tasks.map((task) => [task.nodeId, task]));
      return outcomes([...byNode.keys()], options.signal, async (nodeId) => {
        const task = byNode.get(nodeId) as EvaluateTask;
        const weights = packer.pack(task.layout, task.weights);
        const request: Request = {
          experimentId: options.experimentId,
          evaluate: {
            datasetId: task.datasetId,
            plan: task.plan,
            weights: weights.set,
            metrics: [...task.metrics],
            testRatio: task.testRatio,
            randomSeed: task.randomSeed,
            ...standardizationField(task.standardization),
            ...(task.concordanceBinning ? { concordanceBinning: { timeEdges: [...task.concordanceBinning.timeEdges], riskEdges: [...task.concordanceBinning.riskEdges] } } : {}),
          },
        };
        const { reply } = await server.request(nodeId, request, { ...requestOptions(options), tensors: [weights] });
        return expectBody(reply.evaluate, 'evaluate', nodeId);
      });
    },

    featureStatistics: (tasks, options) => {
      const byNode = new Map(tasks.map((task) => [task.nodeId, task]));
      return outcomes([...byNode.keys()], options.signal, async (nodeId) => {
        const task = byNode.get(nodeId) as FeatureStatisticsTask;
        const body = { datasetId: task.datasetId, plan: task.plan, testRatio: task.testRatio, randomSeed: task.randomSeed };
        const { reply } = await server.request(nodeId, { experimentId: options.experimentId, featureStatistics: body }, requestOptions(options));
        return expectBody(reply.featureStatistics, 'featureStatistics', nodeId);
      });
    },

    analytics: (tasks, options) => {
      const byNode = new Map(tasks.map((task) => [task.nodeId, task]));
      return outcomes([...byNode.keys()], options.signal, async (nodeId) => {
        const task = byNode.get(nodeId) as AnalyticsTask;
        const { reply } = await server.request(nodeId, { experimentId: options.experimentId, analytics: { datasetId: task.datasetId, query: task.query } }, requestOptions(options));
        return expectBody(reply.analytics, 'analytics', nodeId);
      });
    },

    subscribe: (listener: (event: FederationEvent) => void) => {
      const stops = [
        server.on('nodeOnline', (node) => listener({ type: 'node-online', nodeId: node.id, nodeName: node.name })),
        server.on('nodeOffline', (node) =>
          listener({ type: 'node-offline', nodeId: node.id, nodeName: node.name, reason: node.offlineReason ?? 'disconnected' }),
        ),
        server.on('scalar', ({ nodeId, scalar }) => listener({ type: 'scalar', nodeId, scalar })),
        server.on('log', ({ nodeId, log }) =>
          listener({ type: 'log', nodeId, requestId: log.requestId, level: log.level, message: log.message, timestampMs: log.timestampMs }),
        ),
      ];
      return () => stops.forEach((stop) => stop());
    },

    secureAggregation: secureAggregationChannel(server, (nodeIds, signal, call) => outcomes(nodeIds, signal, call)),
  };
}

/** Packs each distinct array once per round, so the global weights are hashed once for all nodes. */
class PayloadCache {
  readonly #payloads = new Map<Float32Array, TensorPayload>();

  pack(layout: ParameterLayout, values: Float32Array): TensorPayload {
    let payload = this.#payloads.get(values);
    if (payload === undefined) {
      payload = packTensors(layout.tensors.map((slot) => float32Tensor(slot.name, slot.shape, values.subarray(slot.offset, slot.offset + slot.size))));
      this.#payloads.set(values, payload);
    }
    return payload;
  }

  /** The global weights encoded with the plan's `compression.down`, once per round for all nodes. */
  packCompressed(layout: ParameterLayout, values: Float32Array, down: NonNullable<CompressionSpec['down']>, round: number): TensorPayload {
    let payload = this.#payloads.get(values);
    if (payload === undefined) {
      const weights = layout.tensors.map((slot) => ({ name: slot.name, shape: slot.shape, values: values.subarray(slot.offset, slot.offset + slot.size) }));
      const { compressed } = compressWeights(resolveCodec(down), weights, { seed: round });
      payload = packTensors(compressed.map((c) => ({ name: c.name, dtype: 'DTYPE_UINT8', shape: [c.bytes.length], data: c.bytes })));
      this.#payloads.set(values, payload);
    }
    return payload;
  }
}

function tensorBytes(tensors: readonly Tensor[]): number {
  return tensors.reduce((sum, tensor) => sum + tensor.data.byteLength, 0);
}

function standardizationField(standardization: Standardization | undefined): { standardization?: { mean: number[]; scale: number[] } } {
  return standardization === undefined ? {} : { standardization: { mean: [...standardization.mean], scale: [...standardization.scale] } };
}

function requestOptions(options: { timeoutMs: number; signal?: AbortSignal }): { timeoutMs: number; signal?: AbortSignal } {
  return { timeoutMs: options.timeoutMs, ...(options.signal !== undefined ? { signal: options.signal } : {}) };
}


/** How a train reply's update travels: masked by secure aggregation, or compressed by the plan's codec. */
interface ReplyEncoding {
  readonly masked: boolean;
  readonly compression: CompressionSpec | undefined;
}

function readTrainReply(answer: NodeReply, layout: ParameterLayout, { masked, compression }: ReplyEncoding): TrainOutcome {
  const train: TrainReply__Output = expectBody(answer.reply.train, 'train', answer.nodeId);
  const received = (set: TensorSet__Output | null, what: string): Tensor[] => {
    const tensors = set === null ? undefined : answer.tensors.get(set.transferId);
    if (tensors === undefined) throw new TransportError('MALFORMED', `node "${answer.nodeId}" sent a train reply without its ${what}`, { nodeId: answer.nodeId });
    return tensors;
  };
  // Under secure aggregation the update travels in the protocol's own fixed point, never compressed.
  const up = masked ? undefined : compression?.up;
  if (up !== undefined && !train.isDelta) {
    throw new TransportError('MALFORMED', `node "${answer.nodeId}" sent weights, the plan compresses updates as deltas ("${up.name}")`, { nodeId: answer.nodeId });
  }
  // Decoded here, before the strategy, to exactly the layout's shapes.
  const update = (set: TensorSet__Output | null, codec: string): Float32Array => {
    const compressed = received(set, 'weights').map((tensor) => {
      if (tensor.dtype !== 'DTYPE_UINT8') throw new TransportError('MALFORMED', `node "${answer.nodeId}" sent tensor "${tensor.name}" as ${tensor.dtype}, the plan compresses updates with "${codec}"`, { nodeId: answer.nodeId });
      return { name: tensor.name, bytes: tensor.data };
    });
    return flattenTensors(layout, decompressWeights(codec, compressed, layout.tensors, `update from node "${answer.nodeId}"`));
  };
  const weights = (set: TensorSet__Output | null): Float32Array =>
    flattenTensors(
      layout,
      received(set, 'weights').map((tensor) => ({ name: tensor.name, shape: tensor.shape, values: asFloat32Array(tensor) })),
    );
  // Strategy state comes as tensors named like the weights, or as one flat tensor in the layout's order.
  const aux = (key: string, set: TensorSet__Output): Float32Array => {
    const tensors = received(set, `aux "${key}"`);
    const only = tensors[0];
    if (tensors.length === 1 && only !== undefined && !layout.tensors.some((slot) => slot.name === only.name)) {
      const flat = asFloat32Array(only);
      if (flat.length !== layout.size) {
        throw new TransportError('MALFORMED', `node "${answer.nodeId}" sent aux "${key}" with ${flat.length} values, the model has ${layout.size}`, { nodeId: answer.nodeId });
      }
      return flat.slice();
    }
    return weights(set);
  };
  const maskedUpdate = masked ? readMaskedUpdate(received(train.weights, `masked update (${MASKED_UPDATE_TENSOR})`), layout.size, answer.nodeId) : undefined;
  return {
    datasetId: train.datasetId,
    round: train.round,
    sampleCount: train.sampleCount,
    trainSize: train.trainSize,
    weights: maskedUpdate !== undefined ? new Float32Array(0) : up !== undefined ? update(train.weights, up.name) : weights(train.weights),
    ...(maskedUpdate !== undefined && { masked: maskedUpdate }),
    isDelta: train.isDelta,
    aux: Object.fromEntries(Object.entries(train.aux).map(([key, set]) => [key, aux(key, set)])),
    metricsBefore: train.metricsBefore,
    metricsAfter: train.metricsAfter,
    timing: train.timing,
    numUpdates: train.numUpdates,
    backend: train.backend,
    privacy: train.privacy,
  };
}

function toOutcome<T>(settled: Settled<T>): NodeOutcome<T> {
  if (settled.ok) return settled;
  const { error, nodeId } = settled;
  if (error instanceof TransportError) {
    const code = error.code === 'REMOTE_ERROR' && error.remoteCode !== undefined ? error.remoteCode.replace(/^ERROR_CODE_/, '') : error.code;
    return { ok: false, nodeId, code, message: error.message };
  }
  return { ok: false, nodeId, code: 'BAD_REPLY', message: error instanceof Error ? error.message : String(error) };
}
