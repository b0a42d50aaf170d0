import { nodeLabels, type ExperimentEvent, type NodeFailure, type NodeIdentity, type RoundResult } from '@fedbiomed/researcher';

/** Metric values of one phase of a round: sample-weighted across nodes, and per node id. */
export interface PhaseMetrics {
  readonly aggregated: Readonly<Record<string, number>>;
  readonly nodes: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** One round as the dashboard draws it. */
export interface RoundView {
  readonly round: number;
  readonly status: 'running' | 'completed' | 'failed';
  /** Node ids selected for the round. */
  readonly selected: readonly string[];
  /** Node ids whose reply was accepted. */
  readonly replied: readonly string[];
  /** Nodes that were asked and did not contribute, with the failure code. */
  readonly dropped: readonly { readonly nodeId: string; readonly code: string; readonly reason: string }[];
  readonly durationMs: number | null;
  /** Tensor bytes sent to the nodes that replied (null when the federation does not count them). */
  readonly bytesSent: number | null;
  /** Tensor bytes received from them. */
  readonly bytesReceived: number | null;
  /**
   * Privacy spent so far (ε) by the experiment as a whole, when it trains with differential privacy
   * and reports it: an `epsilon` field on the round's event or result, or server-side DP's
   * `result.privacy.epsilonCumulative`.
   */
  readonly epsilon: number | null;
  /** Per node id, ε its dataset spent in this experiment so far (record-level DP on the node: `privacy.epsilonCumulative`). */
  readonly nodeEpsilon: Readonly<Record<string, number>>;
  /** The global model on each node's test split, before local training. */
  readonly global: PhaseMetrics;
  /** The local models after training. */
  readonly local: PhaseMetrics;
}

/** Everything the page needs: the experiment, each node id's label and the rounds so far. */
export interface BoardState {
  readonly experimentId: string;
  /** Node id → label (its name; the id added where two nodes share a name). Untrusted text. */
  readonly nodes: Readonly<Record<string, string>>;
  readonly rounds: readonly RoundView[];
}

/** What the board tells its listeners: one round changed, or everything (a new run in the folder). */
export type BoardUpdate = { readonly type: 'round'; readonly nodes: BoardState['nodes']; readonly round: RoundView } | { readonly type: 'state'; readonly state: BoardState };

/** A round event as the dashboard reads it: an {@link ExperimentEvent}, perhaps with an `epsilon` (DP) field. */
export type BoardEvent = ExperimentEvent & { readonly epsilon?: unknown };

const NO_METRICS: PhaseMetrics = { aggregated: {}, nodes: {} };

/**
 * The dashboard's model of an experiment: folds round events (live from an `Experiment`, or read
 * back from its folder's `events.jsonl`) into one {@link RoundView} per round, and tells listeners
 * which round changed.
 */
export class RoundBoard {
  #experimentId: string;
  readonly #rounds = new Map<number, RoundView>();
  readonly #identities = new Map<string, NodeIdentity>();
  readonly #listeners = new Set<(update: BoardUpdate) => void>();

  constructor(experimentId: string) {
    this.#experimentId = experimentId;
  }

  /** Listens to every update; returns the unsubscribe function. */
  subscribe(listener: (update: BoardUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  state(): BoardState {
    return { experimentId: this.#experimentId, nodes: this.#labels(), rounds: [...this.#rounds.values()].sort((a, b) => a.round - b.round) };
  }

  /** Forgets every round (a new run replaced the folder's events) and tells listeners. */
  reset(experimentId: string = this.#experimentId): void {
    this.#experimentId = experimentId;
    this.#rounds.clear();
    this.#identities.clear();
    this.#emit({ type: 'state', state: this.state() });
  }

  /** Folds one event in; events that say nothing about a round (scalars, logs, approvals) are ignored. */
  apply(event: BoardEvent): void {
    const view = this.#fold(event);
    if (view === undefined) return;
    this.#rounds.set(view.round, view);
    this.#emit({ type: 'round', nodes: this.#labels(), round: view });
  }

  #fold(event: BoardEvent): RoundView | undefined {
    switch (event.type) {
      case 'round-started':
        return { ...emptyRound(event.round), selected: [...event.selected] };
      case 'node-replied': {
        this.#know(event);
        const view = this.#round(event.round);
        return { ...view, replied: [...view.replied.filter((id) => id !== event.nodeId), event.nodeId] };
      }
      case 'node-dropped': {
        this.#know(event);
        const view = this.#round(event.round);
        return { ...view, dropped: [...view.dropped.filter((d) => d.nodeId !== event.nodeId), dropOf(event)] };
      }
      case 'round-failed': {
        event.failures.forEach((failure) => this.#know(failure));
        return { ...this.#round(event.round), status: 'failed', dropped: event.failures.map(dropOf) };
      }
      case 'round-completed': {
        const { result } = event;
        [...result.nodes, ...result.failures].forEach((node) => this.#know(node));
        return completedRound(result, epsilonOf(event));
      }
      default:
        return undefined;
    }
  }

  #round(round: number): RoundView {
    return this.#rounds.get(round) ?? emptyRound(round);
  }

  #know(node: NodeIdentity): void {
    this.#identities.set(node.nodeId, { nodeId: node.nodeId, nodeName: node.nodeName });
  }

  #labels(): Record<string, string> {
    const known = [...this.#identities.values()];
    // Nodes only ever selected (no reply yet) go by their id until they answer.
    for (const view of this.#rounds.values()) for (const nodeId of view.selected) if (!this.#identities.has(nodeId)) known.push({ nodeId, nodeName: '' });
    return Object.fromEntries(nodeLabels(known));
  }

  #emit(update: BoardUpdate): void {
    for (const listener of [...this.#listeners]) listener(update);
  }
}

function emptyRound(round: number): RoundView {
  return {
    round,
    status: 'running',
    selected: [],
    replied: [],
    dropped: [],
    durationMs: null,
    bytesSent: null,
    bytesReceived: null,
    epsilon: null,
    nodeEpsilon: {},
    global: NO_METRICS,
    local: NO_METRICS,
  };
}

function dropOf(failure: NodeFailure): RoundView['dropped'][number] {
  return { nodeId: failure.nodeId, code: failure.code, reason: failure.reason };
}

function completedRound(result: RoundResult, epsilon: number | null): RoundView {
  const counted = (pick: (node: RoundResult['nodes'][number]) => number | undefined): number | null => {
    const values = result.nodes.map(pick).filter((value): value is number => value !== undefined);
    return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0);
  };
  const perNode = (pick: (node: RoundResult['nodes'][number]) => { values: Readonly<Record<string, number>> } | undefined): PhaseMetrics['nodes'] =>
    Object.fromEntries(result.nodes.flatMap((node) => {
      const metrics = pick(node);
      return metrics === undefined ? [] : [[node.nodeId, { ...metrics.values }]];
    }));
  return {
    round: result.round,
    status: 'completed',
    selected: [...result.selected],
    replied: result.nodes.map((node) => node.nodeId),
    dropped: result.failures.map(dropOf),
    durationMs: result.durationMs,
    bytesSent: counted((node) => node.bytesSent),
    bytesReceived: counted((node) => node.bytesReceived),
    epsilon,
    nodeEpsilon: Object.fromEntries(result.nodes.flatMap((node) => {
      const spent = cumulativeEpsilon(node);
      return spent === null ? [] : [[node.nodeId, spent]];
    })),
    global: { aggregated: { ...result.metricsBefore.values }, nodes: perNode((node) => node.metricsBefore) },
    local: { aggregated: { ...result.metricsAfter.values }, nodes: perNode((node) => node.metricsAfter) },
  };
}

// Read by shape, not by type: the privacy fields come from researchers with differential privacy,
// and a folder may have been written by another version than this dashboard's.
interface MaybePrivate {
  readonly epsilon?: unknown;
  readonly privacy?: { readonly epsilonCumulative?: unknown };
}

/** The experiment's ε so far from the event itself or its round result, wherever the accountant put it. */
function epsilonOf(event: BoardEvent & { type: 'round-completed' }): number | null {
  const result = event.result as RoundResult & MaybePrivate;
  return finite(event.epsilon) ?? finite(result.epsilon) ?? finite(result.privacy?.epsilonCumulative);
}

function cumulativeEpsilon(node: RoundResult['nodes'][number]): number | null {
  return finite((node as typeof node & MaybePrivate).privacy?.epsilonCumulative);
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
