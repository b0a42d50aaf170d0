import { createHash } from 'node:crypto';
import { SecAggError } from './errors';
import type { AdvertisedKeys } from './messages';

/** What the neighbour graph of a round depends on: its session, its nodes and the degree asked for. */
export interface GraphParameters {
  readonly sessionId: string;
  readonly participants: readonly string[];
  readonly neighbours: number;
}

/** Domain tag of the transcript hash: a digest made for another purpose can never be replayed here. */
const TRANSCRIPT_TAG = 'fedbiomed-secagg neighbour-graph v1';

/**
 * SHA-256 of the round's public transcript: the session id, the degree, the sorted participants
 * and every advertised key pair, sorted by node id, each field length-prefixed so no two
 * transcripts encode alike. Every node and the researcher compute it from the key list of step 1,
 * so the graph it seeds is fixed only once the honest nodes' fresh keys are known: the researcher
 * cannot choose it before seeing them, nor change it afterwards without changing the key list
 * every node checks.
 */
export function transcriptDigest(parameters: GraphParameters, advertised: readonly AdvertisedKeys[]): Uint8Array {
  const hash = createHash('sha256');
  const field = (bytes: Uint8Array | string): void => {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    hash.update(length).update(data);
  };
  field(TRANSCRIPT_TAG);
  field(parameters.sessionId);
  field(String(parameters.neighbours));
  field(String(parameters.participants.length));
  for (const id of parameters.participants) field(id);
  const sorted = [...advertised].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  field(String(sorted.length));
  for (const keys of sorted) {
    field(keys.nodeId);
    field(keys.cipherPublicKey);
    field(keys.maskPublicKey);
  }
  return new Uint8Array(hash.digest());
}

/** Uniform integers in [0, bound) drawn from SHA-256(seed ‖ counter), by rejection so none is biased. */
function seededIntegers(seed: Uint8Array): (bound: number) => number {
  let counter = 0;
  let block = Buffer.alloc(0);
  let offset = 0;
  const nextWord = (): number => {
    if (offset + 4 > block.length) {
      const index = Buffer.alloc(8);
      index.writeBigUInt64BE(BigInt(counter++));
      block = createHash('sha256').update(seed).update(index).digest();
      offset = 0;
    }
    const word = block.readUInt32BE(offset);
    offset += 4;
    return word;
  };
  return (bound) => {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const word = nextWord();
      if (word < limit) return word % bound;
    }
  };
}

/** The permutation of `items` that Fisher–Yates draws from `seed`: the same seed gives the same order everywhere. */
export function seededPermutation<T>(items: readonly T[], seed: Uint8Array): T[] {
  const order = [...items];
  const below = seededIntegers(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order;
}

/**
 * The fewest and most neighbours a node has in the Harary graph H(k, n): k, and k + 1 for one
 * node when both k and n are odd; n − 1 (the complete graph of SecAgg) when k ≥ n − 1. The
 * permutation only relabels nodes, so these hold before any key is known.
 */
export function degreeBounds(nodes: number, neighbours: number): { readonly min: number; readonly max: number } {
  if (neighbours >= nodes - 1) return { min: nodes - 1, max: nodes - 1 };
  return { min: neighbours, max: neighbours % 2 === 1 && nodes % 2 === 1 ? neighbours + 1 : neighbours };
}

/**
 * Neighbours by ring position in the Harary graph H(k, n) (Harary 1962): each position joins the
 * ⌊k/2⌋ nearest on each side; for odd k, position i also joins the one across the ring,
 * i + ⌊n/2⌋ (for i ≤ ⌊n/2⌋ when n is odd, which gives one position k + 1 neighbours). It is the
 * sparsest k-connected graph, so dropping fewer than k nodes never disconnects it.
 */
function hararyPositions(nodes: number, neighbours: number): Set<number>[] {
  const adjacent = Array.from({ length: nodes }, () => new Set<number>());
  const link = (a: number, b: number): void => {
    adjacent[a]?.add(b);
    adjacent[b]?.add(a);
  };
  if (neighbours >= nodes - 1) {
    for (let a = 0; a < nodes; a++) for (let b = a + 1; b < nodes; b++) link(a, b);
    return adjacent;
  }
  for (let i = 0; i < nodes; i++) {
    for (let step = 1; step <= Math.floor(neighbours / 2); step++) link(i, (i + step) % nodes);
  }
  if (neighbours % 2 === 1) {
    const across = Math.floor(nodes / 2);
    const firsts = nodes % 2 === 0 ? across : across + 1;
    for (let i = 0; i < firsts; i++) link(i, (i + across) % nodes);
  }
  return adjacent;
}

/**
 * The SecAgg+ neighbour graph of one round (Bell et al. 2020, "Secure Single-Server Aggregation
 * with (Poly)Logarithmic Overhead", CCS): a Harary graph H(k, n) laid over a uniformly random
 * permutation of the participants, the permutation drawn from the {@link transcriptDigest} of
 * the round. A node masks with its neighbours and gives them shares of its secrets.
 */
export class NeighbourGraph {
  readonly #neighbours: ReadonlyMap<string, readonly string[]>;

  private constructor(
    readonly sessionId: string,
    /** Participants in ring order (position 0 first). */
    readonly order: readonly string[],
    neighbours: ReadonlyMap<string, readonly string[]>,
  ) {
    this.#neighbours = neighbours;
  }

  /** The graph every party derives from the round's parameters and the key list of step 1. */
  static fromTranscript(parameters: GraphParameters, advertised: readonly AdvertisedKeys[]): NeighbourGraph {
    const order = seededPermutation(parameters.participants, transcriptDigest(parameters, advertised));
    const positions = hararyPositions(order.length, parameters.neighbours);
    const neighbours = new Map(
      order.map((id, position) => [
        id,
        [...(positions[position] ?? [])].map((p) => order[p] as string).sort(),
      ]),
    );
    return new NeighbourGraph(parameters.sessionId, order, neighbours);
  }

  /** `nodeId`'s neighbours, sorted. */
  neighboursOf(nodeId: string): readonly string[] {
    const found = this.#neighbours.get(nodeId);
    if (found === undefined) throw new SecAggError('MALFORMED', `node "${nodeId}" is not a participant of session ${this.sessionId}`);
    return found;
  }

  /** The nodes that hold shares of `nodeId`'s secrets: itself and its neighbours, sorted. */
  holdersOf(nodeId: string): readonly string[] {
    return [...this.neighboursOf(nodeId), nodeId].sort();
  }

  /**
   * Refuses (`GRAPH_MISMATCH`) a neighbour list for `nodeId` that is not the one this graph
   * gives: a researcher that sends another list either computed another graph or tries to place
   * the node among nodes of its choosing.
   */
  verifyNeighbours(nodeId: string, claimed: readonly string[]): void {
    const expected = this.neighboursOf(nodeId);
    const given = [...claimed].sort();
    if (given.length !== expected.length || given.some((id, i) => id !== expected[i])) {
      throw new SecAggError(
        'GRAPH_MISMATCH',
        `the researcher lists neighbours [${given.join(', ')}] for node "${nodeId}" in session ${this.sessionId}, but the round's transcript gives [${expected.join(', ')}]`,
      );
    }
  }
}
