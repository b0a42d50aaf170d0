// Original file: proto/fedbiomed/v1/messages.proto

import type { PlanStatus as _fedbiomed_v1_PlanStatus, PlanStatus__Output as _fedbiomed_v1_PlanStatus__Output } from '../../fedbiomed/v1/PlanStatus';

export interface PlanStatusReply {
  'planSha256'?: (string);
  'status'?: (_fedbiomed_v1_PlanStatus);
  'notes'?: (string);
}

export interface PlanStatusReply__Output {
  'planSha256': (string);
  'status': (_fedbiomed_v1_PlanStatus__Output);
  'notes': (string);
}
