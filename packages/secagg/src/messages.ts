/** A node's two public keys for one round: one to encrypt shares to it, one for pairwise masks. */
export interface AdvertisedKeys {
  readonly nodeId: string;
  readonly cipherPublicKey: Uint8Array;
  readonly maskPublicKey: Uint8Array;
}

/**
 * Shares of `from`'s self-mask seed and mask private key for `to`, encrypted and authenticated
 * (AES-256-GCM) under a key only `from` and `to` can derive: the researcher routes it blind.
 */
export interface EncryptedShare {
  readonly from: string;
  readonly to: string;
  readonly ciphertext: Uint8Array;
}

/** Which nodes' masked inputs the researcher holds (`survivors`) and which never came (`dropped`). */
export interface UnmaskRequest {
  readonly survivors: readonly string[];
  readonly dropped: readonly string[];
}

/** One revealed share of `owner`'s secret, at holder index `x`. */
export interface RevealedShare {
  readonly owner: string;
  readonly x: number;
  readonly y: Uint8Array;
}

/** What a node reveals: self-mask shares of survivors, mask-key shares of dropped nodes, never both for one owner. */
export interface UnmaskShares {
  readonly selfMaskShares: readonly RevealedShare[];
  readonly keyShares: readonly RevealedShare[];
}

/** Name of the one INT32 tensor a masked train reply carries (words of Z_{2^32}). */
export const MASKED_UPDATE_TENSOR = 'secagg.masked_update';
