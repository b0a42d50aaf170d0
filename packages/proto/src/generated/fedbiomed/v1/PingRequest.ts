// Original file: proto/fedbiomed/v1/messages.proto

import type { Long } from '@grpc/proto-loader';

export interface PingRequest {
  'sentAtMs'?: (number | string | Long);
}

export interface PingRequest__Output {
  'sentAtMs': (number);
}
