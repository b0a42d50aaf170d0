// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

export interface PingReply {
  'sentAtMs'?: (number | string | Long);
  'nodeTimeMs'?: (number | string | Long);
}

export interface PingReply__Output {
  'sentAtMs': (number);
  'nodeTimeMs': (number);
}
