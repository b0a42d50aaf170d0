// Original file: proto/fedbiomed/v1/messages.proto


/**
 * Semantic version of this protocol. A major mismatch is refused, a minor one tolerated.
 */
export interface ProtocolVersion {
  'major'?: (number);
  'minor'?: (number);
}

/**
 * Semantic version of this protocol. A major mismatch is refused, a minor one tolerated.
 */
export interface ProtocolVersion__Output {
  'major': (number);
  'minor': (number);
}
