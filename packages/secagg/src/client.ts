import { randomBytes, type KeyObject } from 'node:crypto';
import { SecAggError } from './errors';
import { agreeKey, generateX25519, importPublicKey, type RawKeyPair } from './keys';
import type { AdvertisedKeys, EncryptedShare, RevealedShare, UnmaskRequest, UnmaskShares } from './messages';
import { NeighbourGraph } from './graph';
import { checkParameters, shareIndex, type SecAggParameters } from './parameters';
import { addMaskFromSeed } from './prg';
import { quantizeWeighted } from './quantize';
import { openShares, sealShares, type SharePair } from './share-box';
import { splitSecret } from './shamir';

type Stage = 'created' | 'advertised' | 'shared' | 'masked';

/** What a node can say, after masking, about the protection its update ran under (for its audit log). */
export interface MaskingRecord {
  readonly sessionId: string;
  /** Nodes in the round (asked to take part). */
  readonly participants: number;
  /** Neighbours whose pairwise masks cover this update. */
  readonly maskedWith: number;
  readonly threshold: number;
  /** Coordinates clipped to ±clipRange before quantisation. */
  readonly clipped: number;
}

/**
 * One node's side of a secure-aggregation round (Bonawitz et al. 2017, with the sparse neighbour
 * graph of Bell et al. 2020): advertise keys, share secrets, send the masked weighted update, and
 * reveal shares for unmasking under the rules that keep a single update hidden. Each instance
 * serves one round; its secrets never leave it except as Shamir shares.
 */
export class SecAggClient {
  #stage: Stage = 'created';
  readonly #cipherKeys: RawKeyPair = generateX25519();
  readonly #maskKeys: RawKeyPair = generateX25519();
  readonly #selfSeed = new Uint8Array(randomBytes(32));
  #advertised = new Map<string, AdvertisedKeys>();
  /** This node and its neighbours in the round's graph, once the key list is known. */
  #holders: ReadonlySet<string> = new Set();
  /** The share holders' two public keys, imported once for the agreements of steps 1 and 2. */
  #publicKeys = new Map<string, { readonly cipher: KeyObject; readonly mask: KeyObject }>();
  /** Shares this node holds, by owner (its own included). */
  readonly #held = new Map<string, SharePair>();
  /** Owners whose self-mask share, or mask-key share, this node has revealed. */
  readonly #revealedSelf = new Set<string>();
  readonly #revealedKey = new Set<string>();
  #record: MaskingRecord | undefined;

  constructor(
    readonly nodeId: string,
    readonly parameters: SecAggParameters,
  ) {
    checkParameters(parameters);
    if (!parameters.participants.includes(nodeId)) throw new SecAggError('INVALID_PARAMETERS', `node "${nodeId}" is not among the round's participants`);
  }

  /** Step 0: the two public keys of this round. */
  advertiseKeys(): AdvertisedKeys {
    this.#advance('created', 'advertised');
    return { nodeId: this.nodeId, cipherPublicKey: this.#cipherKeys.publicKey, maskPublicKey: this.#maskKeys.publicKey };
  }

  /**
   * Step 1: given every node's advertised keys and the neighbour list the researcher says the
   * round's graph gives this node, derives the graph itself from the key list
   * ({@link NeighbourGraph.fromTranscript}), refuses (`GRAPH_MISMATCH`) a list that differs, then
   * splits this node's self-mask seed and mask private key among its share holders that
   * advertised, and encrypts each holder's pair to it.
   */
  shareKeys(advertised: readonly AdvertisedKeys[], claimedNeighbours: readonly string[]): EncryptedShare[] {
    this.#advance('advertised', 'shared');
    const mine = advertised.find((keys) => keys.nodeId === this.nodeId);
    if (mine === undefined || !sameBytes(mine.maskPublicKey, this.#maskKeys.publicKey) || !sameBytes(mine.cipherPublicKey, this.#cipherKeys.publicKey)) {
      throw new SecAggError('MALFORMED', `the key list does not carry node "${this.nodeId}"'s own keys`);
    }
    this.#advertised = new Map();
    for (const keys of advertised) {
      if (!this.parameters.participants.includes(keys.nodeId)) throw new SecAggError('MALFORMED', `keys of "${keys.nodeId}", who is not a participant`);
      if (this.#advertised.has(keys.nodeId)) throw new SecAggError('MALFORMED', `keys of "${keys.nodeId}" listed twice`);
      this.#advertised.set(keys.nodeId, keys);
    }
    const graph = NeighbourGraph.fromTranscript(this.parameters, advertised);
    graph.verifyNeighbours(this.nodeId, claimedNeighbours);
    this.#holders = new Set(graph.holdersOf(this.nodeId));
    const holders = [...this.#holders].filter((id) => this.#advertised.has(id));
    this.#publicKeys = new Map(
      holders.map((id) => {
        const keys = this.#advertised.get(id) as AdvertisedKeys;
        return [id, { cipher: importPublicKey(keys.cipherPublicKey), mask: importPublicKey(keys.maskPublicKey) }];
      }),
    );
    this.#requireThreshold(holders.length, 'share holders advertised keys');
    const xs = holders.map((id) => shareIndex(this.parameters, id));
    const selfShares = splitSecret(this.#selfSeed, this.parameters.threshold, xs);
    const keyShares = splitSecret(this.#maskKeys.privateKey, this.parameters.threshold, xs);
    const sealed: EncryptedShare[] = [];
    holders.forEach((holder, i) => {
      const pair = { selfMask: (selfShares[i] as { y: Uint8Array }).y, maskKey: (keyShares[i] as { y: Uint8Array }).y };
      if (holder === this.nodeId) this.#held.set(holder, pair);
      else {
        const recipient = this.#publicKeys.get(holder) as { cipher: KeyObject };
        sealed.push(sealShares(pair, { sessionId: this.parameters.sessionId, from: this.nodeId, to: holder }, this.#cipherKeys.privateKeyObject, recipient.cipher));
      }
    });
    return sealed;
  }

  /**
   * Step 2: opens the shares sent to this node (their senders are the neighbours still in the
   * round) and returns round(s·w·clip(update)) + PRG(self seed) ± PRG(pairwise seeds) mod 2^32.
   */
  maskInput(received: readonly EncryptedShare[], update: Float32Array, weight: number): Uint32Array {
    this.#advance('shared', 'masked');
    const bound = this.parameters.weightBounds[this.nodeId] as number;
    if (!(weight >= 0) || weight > bound) throw new SecAggError('INVALID_PARAMETERS', `weight ${weight} of node "${this.nodeId}" is outside [0, ${bound}], its agreed bound`);
    for (const share of received) {
      if (share.to !== this.nodeId || !this.#holders.has(share.from) || share.from === this.nodeId) {
        throw new SecAggError('MALFORMED', `a share from "${share.from}" to "${share.to}" is not for node "${this.nodeId}" or not from one of its neighbours`);
      }
      if (this.#held.has(share.from)) throw new SecAggError('MALFORMED', `two shares from "${share.from}"`);
      const sender = this.#publicKeys.get(share.from);
      if (sender === undefined) throw new SecAggError('MALFORMED', `a share from "${share.from}", who advertised no keys`);
      this.#held.set(share.from, openShares(share, this.parameters.sessionId, this.#cipherKeys.privateKeyObject, sender.cipher));
    }
    this.#requireThreshold(this.#held.size, 'share holders are still in the round');
    const { words, clipped } = quantizeWeighted(this.parameters, update, weight);
    addMaskFromSeed(words, this.#selfSeed, 1);
    let maskedWith = 0;
    for (const peer of this.#held.keys()) {
      if (peer === this.nodeId) continue;
      const seed = agreeKey(this.#maskKeys.privateKeyObject, (this.#publicKeys.get(peer) as { mask: KeyObject }).mask, this.parameters.sessionId, 'pairwise-mask');
      addMaskFromSeed(words, seed, this.nodeId < peer ? 1 : -1);
      maskedWith += 1;
    }
    this.#record = { sessionId: this.parameters.sessionId, participants: this.parameters.participants.length, maskedWith, threshold: this.parameters.threshold, clipped };
    return words;
  }

  /** What this node's update was masked under, once masked. */
  get maskingRecord(): MaskingRecord | undefined {
    return this.#record;
  }

  /**
   * Step 3: reveals the self-mask shares of survivors and the mask-key shares of dropped nodes it
   * holds. Refused (`UNMASK_REFUSED`) when this node is called dropped, when fewer survivors than
   * the threshold remain, or when the request (alone or with an earlier one) would reveal both
   * kinds of share of one node: that would unmask its single update.
   */
  unmask(request: UnmaskRequest): UnmaskShares {
    if (this.#stage !== 'masked') throw new SecAggError('OUT_OF_ORDER', `node "${this.nodeId}" has sent no masked input in session ${this.parameters.sessionId}`);
    const survivors = new Set(request.survivors);
    const dropped = new Set(request.dropped);
    const refuse = (why: string): never => {
      throw new SecAggError('UNMASK_REFUSED', `node "${this.nodeId}" refuses to unmask session ${this.parameters.sessionId}: ${why}`);
    };
    if (!survivors.has(this.nodeId) || dropped.has(this.nodeId)) refuse('it sent its masked input but is not listed as a survivor');
    const both = [...survivors].filter((id) => dropped.has(id) || this.#revealedKey.has(id));
    const bothDropped = [...dropped].filter((id) => this.#revealedSelf.has(id));
    if (both.length + bothDropped.length > 0) refuse(`it would reveal both the self-mask share and the mask-key share of ${[...both, ...bothDropped].map((id) => `"${id}"`).join(', ')}`);
    if (survivors.size < this.parameters.threshold) refuse(`${survivors.size} survivor(s), fewer than the threshold ${this.parameters.threshold}`);
    const x = shareIndex(this.parameters, this.nodeId);
    const reveal = (owners: Set<string>, kind: keyof SharePair, into: Set<string>): RevealedShare[] =>
      [...owners].flatMap((owner) => {
        const pair = this.#held.get(owner);
        if (pair === undefined) return [];
        into.add(owner);
        return [{ owner, x, y: pair[kind] }];
      });
    return { selfMaskShares: reveal(survivors, 'selfMask', this.#revealedSelf), keyShares: reveal(dropped, 'maskKey', this.#revealedKey) };
  }

  #advance(from: Stage, to: Stage): void {
    if (this.#stage !== from) throw new SecAggError('OUT_OF_ORDER', `node "${this.nodeId}" is at step "${this.#stage}" of session ${this.parameters.sessionId}, not "${from}"`);
    this.#stage = to;
  }

  #requireThreshold(count: number, what: string): void {
    if (count < this.parameters.threshold) {
      throw new SecAggError('TOO_MANY_DROPOUTS', `only ${count} of node "${this.nodeId}"'s ${what}, the threshold is ${this.parameters.threshold}`);
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}
