import { SecAggError } from './errors';
import { agreeKey, importPrivateKey } from './keys';
import type { AdvertisedKeys, EncryptedShare, RevealedShare, UnmaskRequest, UnmaskShares } from './messages';
import { NeighbourGraph } from './graph';
import { checkParameters, quantizationErrorBound, type SecAggParameters } from './parameters';
import { addMask, addMaskFromSeed } from './prg';
import { dequantizeMean } from './quantize';
import { combineShares } from './shamir';

/** The round's outcome: the weighted mean of the survivors' clipped updates, and who counted. */
export interface SecAggResult {
  /** Σ wᵢ·clip(xᵢ) / Σ wᵢ over the survivors, in Float64. */
  readonly weightedMean: Float64Array;
  readonly weightSum: number;
  readonly survivors: readonly string[];
  /** Nodes that shared keys but sent no masked input; their pairwise masks were removed. */
  readonly dropped: readonly string[];
  /** Per-coordinate bound on |weightedMean − plain weighted mean of the clipped updates|. */
  readonly errorBound: number;
}

/**
 * The researcher's side of a secure-aggregation round. It routes keys and encrypted shares it
 * cannot read, folds each masked input into one running sum as it arrives (no individual input
 * is kept), and unmasks only the sum, with the shares the survivors reveal.
 */
export class SecAggServer {
  readonly #keys = new Map<string, AdvertisedKeys>();
  /** The round's neighbour graph, fixed by the key list once it is sent out. */
  #graph: NeighbourGraph | undefined;
  readonly #shares = new Map<string, EncryptedShare[]>();
  /** Nodes whose shares arrived; frozen into `#sharers` once routing starts. */
  readonly #received = new Set<string>();
  #sharers: Set<string> | undefined;
  #sum: Uint32Array | undefined;
  readonly #weights = new Map<string, number>();
  #request: UnmaskRequest | undefined;
  readonly #revealed: { selfMask: Map<string, RevealedShare[]>; maskKey: Map<string, RevealedShare[]> } = { selfMask: new Map(), maskKey: new Map() };

  constructor(
    readonly parameters: SecAggParameters,
    readonly length: number,
  ) {
    checkParameters(parameters);
  }

  /** Records one node's advertised keys. */
  receiveKeys(keys: AdvertisedKeys): void {
    if (this.#graph !== undefined) throw new SecAggError('OUT_OF_ORDER', `keys of "${keys.nodeId}" after the key list was sent out`);
    this.#expectParticipant(keys.nodeId);
    if (this.#keys.has(keys.nodeId)) throw new SecAggError('MALFORMED', `node "${keys.nodeId}" advertised keys twice`);
    this.#keys.set(keys.nodeId, keys);
  }

  /** Every key advertised: what each node receives for step 1. Closes step 0 and fixes the round's graph. */
  advertisedKeys(): AdvertisedKeys[] {
    const keys = [...this.#keys.values()];
    this.#graph ??= NeighbourGraph.fromTranscript(this.parameters, keys);
    return keys;
  }

  /** The neighbour list each node receives with the key list, and checks against its own graph. */
  neighboursFor(nodeId: string): readonly string[] {
    this.advertisedKeys();
    return (this.#graph as NeighbourGraph).neighboursOf(nodeId);
  }

  /** Records the encrypted shares one node sent, for routing. */
  receiveShares(from: string, shares: readonly EncryptedShare[]): void {
    if (!this.#keys.has(from)) throw new SecAggError('MALFORMED', `shares from "${from}", who advertised no keys`);
    if (this.#graph === undefined) throw new SecAggError('OUT_OF_ORDER', `shares from "${from}" before the key list was sent out`);
    if (this.#sharers !== undefined) throw new SecAggError('OUT_OF_ORDER', `shares from "${from}" after they were routed`);
    for (const share of shares) {
      if (share.from !== from || !this.#keys.has(share.to)) throw new SecAggError('MALFORMED', `node "${from}" sent a share from "${share.from}" to "${share.to}"`);
      const inbox = this.#shares.get(share.to) ?? [];
      inbox.push(share);
      this.#shares.set(share.to, inbox);
    }
    this.#received.add(from);
  }

  /** Closes step 1: the nodes whose shares arrived (the set U2 of the paper), sorted. */
  closeSharing(): readonly string[] {
    this.#sharers ??= new Set(this.#received);
    return this.sharers;
  }

  /** The shares addressed to `nodeId` from nodes that shared; closes step 1 on first call. */
  sharesFor(nodeId: string): EncryptedShare[] {
    this.closeSharing();
    return (this.#shares.get(nodeId) ?? []).filter((share) => this.#sharers?.has(share.from) === true);
  }

  /** Nodes that completed step 1 (the set U2 of the paper). */
  get sharers(): readonly string[] {
    return [...(this.#sharers ?? this.#received)].sort();
  }

  /** Adds one node's masked input to the running sum; `weight` is the weight it applied. */
  receiveMaskedInput(nodeId: string, masked: Uint32Array, weight: number): void {
    if (this.#sharers === undefined || !this.#sharers.has(nodeId)) throw new SecAggError('MALFORMED', `masked input from "${nodeId}", who shared no keys this round`);
    if (this.#request !== undefined) throw new SecAggError('OUT_OF_ORDER', `masked input from "${nodeId}" after unmasking began`);
    if (this.#weights.has(nodeId)) throw new SecAggError('MALFORMED', `node "${nodeId}" sent two masked inputs`);
    if (masked.length !== this.length) throw new SecAggError('MALFORMED', `node "${nodeId}" sent ${masked.length} masked values, the model has ${this.length}`);
    const bound = this.parameters.weightBounds[nodeId] as number;
    if (!(weight >= 0) || weight > bound) throw new SecAggError('MALFORMED', `node "${nodeId}" claims weight ${weight}, outside [0, ${bound}]`);
    if (this.#sum === undefined) this.#sum = masked.slice();
    else addMask(this.#sum, masked, 1);
    this.#weights.set(nodeId, weight);
  }

  /**
   * Step 3's question: survivors (masked input received) and dropped nodes (shared, never masked).
   * Fails with `TOO_MANY_DROPOUTS` before asking anyone when fewer survivors than the threshold remain.
   */
  unmaskRequest(): UnmaskRequest {
    const survivors = [...this.#weights.keys()].sort();
    if (survivors.length < this.parameters.threshold) {
      throw new SecAggError(
        'TOO_MANY_DROPOUTS',
        `${survivors.length} of ${this.parameters.participants.length} nodes sent a masked input, the threshold is ${this.parameters.threshold}: the round fails and nothing is unmasked`,
      );
    }
    const dropped = this.sharers.filter((id) => !this.#weights.has(id));
    this.#request = { survivors, dropped };
    return this.#request;
  }

  /** Records one survivor's revealed shares. */
  receiveUnmaskShares(nodeId: string, shares: UnmaskShares): void {
    const request = this.#request;
    if (request === undefined || !request.survivors.includes(nodeId)) throw new SecAggError('MALFORMED', `unmask shares from "${nodeId}", who was not asked`);
    const keep = (into: Map<string, RevealedShare[]>, list: readonly RevealedShare[]): void => {
      for (const share of list) into.set(share.owner, [...(into.get(share.owner) ?? []), share]);
    };
    keep(this.#revealed.selfMask, shares.selfMaskShares);
    keep(this.#revealed.maskKey, shares.keyShares);
  }

  /**
   * Removes the survivors' self masks and the dropped nodes' pairwise masks from the sum and
   * decodes the weighted mean. Fails with `TOO_MANY_DROPOUTS` when a secret lacks shares.
   */
  finish(): SecAggResult {
    const request = this.#request;
    const sum = this.#sum;
    if (request === undefined || sum === undefined) throw new SecAggError('OUT_OF_ORDER', 'finish() before the unmask request');
    const { threshold, sessionId } = this.parameters;
    const rebuild = (owner: string, kind: 'selfMask' | 'maskKey'): Uint8Array => {
      const shares = this.#revealed[kind].get(owner) ?? [];
      if (new Set(shares.map((share) => share.x)).size < threshold) {
        throw new SecAggError(
          'TOO_MANY_DROPOUTS',
          `${shares.length} share(s) of ${kind === 'selfMask' ? 'the self mask' : 'the mask key'} of "${owner}" came back, the threshold is ${threshold}: the round fails`,
        );
      }
      return combineShares(shares, threshold);
    };
    const seeds = request.survivors.map((owner) => rebuild(owner, 'selfMask'));
    const keys = request.dropped.map((owner) => ({ owner, key: rebuild(owner, 'maskKey') }));
    for (const seed of seeds) addMaskFromSeed(sum, seed, -1);
    const survivors = new Set(request.survivors);
    for (const { owner, key } of keys) {
      const privateKey = importPrivateKey(key);
      for (const peer of (this.#graph as NeighbourGraph).neighboursOf(owner)) {
        if (!survivors.has(peer)) continue;
        const seed = agreeKey(privateKey, (this.#keys.get(peer) as AdvertisedKeys).maskPublicKey, sessionId, 'pairwise-mask');
        // The survivor added +mask when its id sorts first, −mask otherwise: take it back out.
        addMaskFromSeed(sum, seed, peer < owner ? -1 : 1);
      }
    }
    const weightSum = [...this.#weights.values()].reduce((a, b) => a + b, 0);
    if (!(weightSum > 0)) throw new SecAggError('INVALID_PARAMETERS', 'the survivors\' weights sum to 0: no mean exists');
    return {
      weightedMean: dequantizeMean(this.parameters, sum, weightSum),
      weightSum,
      survivors: request.survivors,
      dropped: request.dropped,
      errorBound: quantizationErrorBound(this.parameters, request.survivors.length, weightSum),
    };
  }

  #expectParticipant(nodeId: string): void {
    if (!this.parameters.participants.includes(nodeId)) throw new SecAggError('MALFORMED', `node "${nodeId}" is not a participant of session ${this.parameters.sessionId}`);
  }
}
