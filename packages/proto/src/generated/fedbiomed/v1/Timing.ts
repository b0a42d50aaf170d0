// Original file: proto/fedbiomed/v1/messages.proto


export interface Timing {
  'queuedMs'?: (number | string);
  'trainingMs'?: (number | string);
  'evaluationMs'?: (number | string);
  'totalMs'?: (number | string);
}

export interface Timing__Output {
  'queuedMs': (number);
  'trainingMs': (number);
  'evaluationMs': (number);
  'totalMs': (number);
}
