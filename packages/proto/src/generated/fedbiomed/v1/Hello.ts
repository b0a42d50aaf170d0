// Original file: proto/fedbiomed/v1/messages.proto

import type { ProtocolVersion as _fedbiomed_v1_ProtocolVersion, ProtocolVersion__Output as _fedbiomed_v1_ProtocolVersion__Output } from '../../fedbiomed/v1/ProtocolVersion';

export interface Hello {
  'nodeId'?: (string);
  'nodeName'?: (string);
  'version'?: (_fedbiomed_v1_ProtocolVersion | null);
  /**
   * e.g. "train", "evaluate", "backend:wasm", "backend:webgpu".
   */
  'capabilities'?: (string)[];
  /**
   * Shared secret proving enrolment when TLS client certificates are not used.
   */
  'enrolmentToken'?: (string);
}

export interface Hello__Output {
  'nodeId': (string);
  'nodeName': (string);
  'version': (_fedbiomed_v1_ProtocolVersion__Output | null);
  /**
   * e.g. "train", "evaluate", "backend:wasm", "backend:webgpu".
   */
  'capabilities': (string)[];
  /**
   * Shared secret proving enrolment when TLS client certificates are not used.
   */
  'enrolmentToken': (string);
}
