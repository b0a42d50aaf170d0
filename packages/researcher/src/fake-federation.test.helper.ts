// A Federation kept in memory, for the round-loop tests: it stands in for the gRPC transport where
// the behaviour under test (selection, deadlines, dropouts, breakpoints) does not involve the
// network. The transport-backed federation has its own tests on real loopback sockets.
import type { FeatureStatisticsReply__Output } from '@fedbiomed/proto';
import type { EvaluateTask, Federation, FederationEvent, FederationNode, NodeOutcome, RequestOptions, TrainOutcome, TrainTask } from './federation';
import { fanOut } from './fan-out';
import { Subscribable } from './subscribable';

/** How a fake node trains: from the task to a reply (or a thrown error), possibly slowly. */
export type FakeTrainer = (task: TrainTask) => Promise<TrainOutcome>;

export interface FakeNode {
  id: string;
  name: string;
  online: boolean;
  tags: string[];
  train: FakeTrainer;
  /** Rows of the node's dataset reported at search time; default {@link FAKE_DATASET_SIZE}. */
  datasetSize?: number;
}

/** What a fake node reports as its dataset size at search time unless told otherwise. */
export const FAKE_DATASET_SIZE = 1000;

export class FakeFederation implements Federation {
  readonly nodes = new Map<string, FakeNode>();
  readonly events = new Subscribable<FederationEvent>();
  readonly trainCalls: TrainTask[] = [];

  add(node: FakeNode): void {
    this.nodes.set(node.id, node);
  }

  listNodes(): readonly FederationNode[] {
    return [...this.nodes.values()].map(({ id, name, online }) => ({ id, name, online }));
  }

  async *search(nodeIds: readonly string[], tags: readonly string[]) {
    for (const id of nodeIds) {
      const node = this.nodes.get(id);
      if (!node?.online) {
        yield { ok: false, nodeId: id, code: 'NODE_OFFLINE', message: 'offline' } as const;
        continue;
      }
      const match = tags.every((tag) => node.tags.includes(tag));
      yield {
        ok: true,
        nodeId: id,
        value: {
          datasets: match
            ? [{ id: `ds-${id}`, name: `data of ${id}`, tags: node.tags, dataType: 'csv', featureShape: [2], sampleCount: node.datasetSize ?? FAKE_DATASET_SIZE, description: '', numClasses: 2, featureDtypes: [], targetKind: 'classes', labelShape: [1], labelColumns: [], fixedSplit: null }]
            : [],
        },
      } as const;
    }
  }

  async *requestApproval(nodeIds: readonly string[], request: { plan: { sha256?: string } }) {
    for (const id of nodeIds) {
      yield { ok: true, nodeId: id, value: { planSha256: request.plan.sha256 ?? '', status: 'PLAN_STATUS_PENDING', message: 'queued' } } as const;
    }
  }

  async *planStatus(nodeIds: readonly string[], planSha256: string) {
    for (const id of nodeIds) {
      yield { ok: true, nodeId: id, value: { planSha256, status: 'PLAN_STATUS_APPROVED', notes: '' } } as const;
    }
  }

  async *train(tasks: readonly TrainTask[], options: RequestOptions): AsyncIterable<NodeOutcome<TrainOutcome>> {
    const byNode = new Map(tasks.map((task) => [task.nodeId, task]));
    this.trainCalls.push(...tasks);
    const call = async (nodeId: string): Promise<TrainOutcome> => {
      const node = this.nodes.get(nodeId);
      if (!node?.online) throw Object.assign(new Error('not connected'), { code: 'NODE_OFFLINE' });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), options.timeoutMs);
      });
      try {
        return await Promise.race([node.train(byNode.get(nodeId) as TrainTask), timeout]);
      } finally {
        clearTimeout(timer);
      }
    };
    for await (const settled of fanOut([...byNode.keys()], call, options.signal)) {
      if (settled.ok) yield settled;
      else {
        const error = settled.error as Error & { code?: string };
        yield { ok: false, nodeId: settled.nodeId, code: error.code ?? 'UNAVAILABLE', message: error.message };
      }
    }
  }

  async *evaluate(tasks: readonly EvaluateTask[]) {
    for (const task of tasks) {
      const mean = task.weights.reduce((a, b) => a + b, 0) / task.weights.length;
      yield { ok: true, nodeId: task.nodeId, value: { datasetId: task.datasetId, metrics: { values: { mean }, sampleCount: 10 }, scoreHistograms: {}, concordanceHistogram: null } } as const;
    }
  }

  /** Plans in these tests declare no standardisation, so no experiment asks for statistics. */
  // eslint-disable-next-line require-yield
  async *featureStatistics(): AsyncIterable<NodeOutcome<FeatureStatisticsReply__Output>> {
    throw new Error('the fake federation holds no feature statistics');
  }

  subscribe(listener: (event: FederationEvent) => void): () => void {
    return this.events.subscribe(listener);
  }
}

/**
 * A deterministic "training": each node pulls the weights halfway toward its own target, so the
 * FedAvg result is known in closed form and any difference in inputs shows in the output. The node
 * trains from `sampleCount` rows (its `trainSize`, the dataset-size weight) and reports one pass
 * over them as processed, or fewer when `numUpdates × batchSize` stops it earlier.
 */
export function pullToward(target: number, sampleCount: number, delayMs = 0): FakeTrainer {
  return async (task) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const weights = task.weights.map((w) => w + (target - w) * 0.5 + Number(task.args.randomSeed ?? 0) * 1e-6);
    const updates = task.args.numUpdates ?? 0;
    const processed = updates > 0 ? Math.min(sampleCount, updates * (task.args.batchSize || 32)) : sampleCount;
    return {
      datasetId: task.datasetId,
      round: task.round,
      sampleCount: processed,
      trainSize: sampleCount,
      weights,
      isDelta: false,
      aux: {},
      metricsBefore: { values: { accuracy: target / 10 }, sampleCount },
      metricsAfter: { values: { accuracy: target / 5, loss: 1 / target }, sampleCount },
      timing: { queuedMs: 0, trainingMs: delayMs, evaluationMs: 0, totalMs: delayMs },
      numUpdates: 1,
      backend: 'fake',
    };
  };
}
