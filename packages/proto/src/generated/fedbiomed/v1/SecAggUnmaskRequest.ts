// Original file: proto/fedbiomed/v1/secagg.proto


/**
 * Step 3: researcher -> each survivor.
 */
export interface SecAggUnmaskRequest {
  'sessionId'?: (string);
  /**
   * Nodes whose masked input arrived.
   */
  'survivors'?: (string)[];
  /**
   * Nodes that shared keys but sent no masked input.
   */
  'dropped'?: (string)[];
}

/**
 * Step 3: researcher -> each survivor.
 */
export interface SecAggUnmaskRequest__Output {
  'sessionId': (string);
  /**
   * Nodes whose masked input arrived.
   */
  'survivors': (string)[];
  /**
   * Nodes that shared keys but sent no masked input.
   */
  'dropped': (string)[];
}
