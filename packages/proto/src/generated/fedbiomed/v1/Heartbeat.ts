// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'seq'?: (number | string | Long);
  'timestampMs'?: (number | string | Long);
}

export interface Heartbeat__Output {
  'seq': (number);
  'timestampMs': (number);
}
