// Original file: proto/fedbiomed/v1/messages.proto

import type { ProtocolVersion as _fedbiomed_v1_ProtocolVersion, ProtocolVersion__Output as _fedbiomed_v1_ProtocolVersion__Output } from '../../fedbiomed/v1/ProtocolVersion';

export interface HelloAck {
  'researcherId'?: (string);
  'version'?: (_fedbiomed_v1_ProtocolVersion | null);
  /**
   * Interval at which the node is expected to send heartbeats.
   */
  'heartbeatIntervalMs'?: (number);
}

export interface HelloAck__Output {
  'researcherId': (string);
  'version': (_fedbiomed_v1_ProtocolVersion__Output | null);
  /**
   * Interval at which the node is expected to send heartbeats.
   */
  'heartbeatIntervalMs': (number);
}
