// Original file: proto/fedbiomed/v1/messages.proto

import type { LogLevel as _fedbiomed_v1_LogLevel, LogLevel__Output as _fedbiomed_v1_LogLevel__Output } from '../../fedbiomed/v1/LogLevel';
import type { Long } from '@grpc/proto-loader';

export interface Log {
  'requestId'?: (string);
  'level'?: (_fedbiomed_v1_LogLevel);
  'message'?: (string);
  'timestampMs'?: (number | string | Long);
}

export interface Log__Output {
  'requestId': (string);
  'level': (_fedbiomed_v1_LogLevel__Output);
  'message': (string);
  'timestampMs': (number);
}
