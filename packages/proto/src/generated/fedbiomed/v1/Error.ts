// Original file: proto/fedbiomed/v1/messages.proto

import type { ErrorCode as _fedbiomed_v1_ErrorCode, ErrorCode__Output as _fedbiomed_v1_ErrorCode__Output } from '../../fedbiomed/v1/ErrorCode';

export interface Error {
  'code'?: (_fedbiomed_v1_ErrorCode);
  'message'?: (string);
  'requestId'?: (string);
  'nodeId'?: (string);
}

export interface Error__Output {
  'code': (_fedbiomed_v1_ErrorCode__Output);
  'message': (string);
  'requestId': (string);
  'nodeId': (string);
}
