// Original file: proto/fedbiomed/v1/secagg.proto


export interface SecAggPublicKeys {
  'nodeId'?: (string);
  /**
   * Raw X25519 public key (32 bytes) for encrypting shares to this node.
   */
  'cipherPublicKey'?: (Buffer | Uint8Array | string);
  /**
   * Raw X25519 public key (32 bytes) for pairwise mask agreement.
   */
  'maskPublicKey'?: (Buffer | Uint8Array | string);
}

export interface SecAggPublicKeys__Output {
  'nodeId': (string);
  /**
   * Raw X25519 public key (32 bytes) for encrypting shares to this node.
   */
  'cipherPublicKey': (Buffer);
  /**
   * Raw X25519 public key (32 bytes) for pairwise mask agreement.
   */
  'maskPublicKey': (Buffer);
}
