// Original file: proto/fedbiomed/v1/secagg.proto

import type { SecAggParameters as _fedbiomed_v1_SecAggParameters, SecAggParameters__Output as _fedbiomed_v1_SecAggParameters__Output } from '../../fedbiomed/v1/SecAggParameters';

/**
 * Step 0: researcher -> node. The node checks the parameters and creates its round keys.
 */
export interface SecAggSetupRequest {
  'parameters'?: (_fedbiomed_v1_SecAggParameters | null);
  'round'?: (number);
  'datasetId'?: (string);
}

/**
 * Step 0: researcher -> node. The node checks the parameters and creates its round keys.
 */
export interface SecAggSetupRequest__Output {
  'parameters': (_fedbiomed_v1_SecAggParameters__Output | null);
  'round': (number);
  'datasetId': (string);
}
