// Original file: proto/fedbiomed/v1/messages.proto


export interface PlanStatusRequest {
  'planSha256'?: (string);
}

export interface PlanStatusRequest__Output {
  'planSha256': (string);
}
