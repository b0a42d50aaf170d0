// Original file: proto/fedbiomed/v1/messages.proto

import type { PlanStatus as _fedbiomed_v1_PlanStatus, PlanStatus__Output as _fedbiomed_v1_PlanStatus__Output } from '../../fedbiomed/v1/PlanStatus';

export interface ApprovalReply {
  'planSha256'?: (string);
  'status'?: (_fedbiomed_v1_PlanStatus);
  'message'?: (string);
}

export interface ApprovalReply__Output {
  'planSha256': (string);
  'status': (_fedbiomed_v1_PlanStatus__Output);
  'message': (string);
}
