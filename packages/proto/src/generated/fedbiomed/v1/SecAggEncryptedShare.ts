// Original file: proto/fedbiomed/v1/secagg.proto


/**
 * A node's Shamir shares for another node, AES-256-GCM encrypted to it; the researcher routes it blind.
 */
export interface SecAggEncryptedShare {
  'fromNode'?: (string);
  'toNode'?: (string);
  'ciphertext'?: (Buffer | Uint8Array | string);
}

/**
 * A node's Shamir shares for another node, AES-256-GCM encrypted to it; the researcher routes it blind.
 */
export interface SecAggEncryptedShare__Output {
  'fromNode': (string);
  'toNode': (string);
  'ciphertext': (Buffer);
}
