// Original file: proto/fedbiomed/v1/messages.proto

import type { TrainingPlan as _fedbiomed_v1_TrainingPlan, TrainingPlan__Output as _fedbiomed_v1_TrainingPlan__Output } from '../../fedbiomed/v1/TrainingPlan';

export interface ApprovalRequest {
  'plan'?: (_fedbiomed_v1_TrainingPlan | null);
  /**
   * Why the researcher asks; shown to the node operator.
   */
  'description'?: (string);
  'researcherId'?: (string);
}

export interface ApprovalRequest__Output {
  'plan': (_fedbiomed_v1_TrainingPlan__Output | null);
  /**
   * Why the researcher asks; shown to the node operator.
   */
  'description': (string);
  'researcherId': (string);
}
