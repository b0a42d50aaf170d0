// Original file: proto/fedbiomed/v1/secagg.proto


/**
 * What every participant agrees on; each node checks it before taking part.
 */
export interface SecAggParameters {
  /**
   * Unique per round; binds every derived key.
   */
  'sessionId'?: (string);
  /**
   * Sorted node ids of the round.
   */
  'participants'?: (string)[];
  /**
   * Shares needed to rebuild a node's secrets: more than half of its share holders.
   */
  'threshold'?: (number);
  /**
   * Degree of the round's neighbour graph (participants - 1 or more: complete graph).
   */
  'neighbours'?: (number);
  /**
   * Each coordinate of an update is clipped to [-clip_range, clip_range] before quantisation.
   */
  'clipRange'?: (number | string);
  /**
   * Largest weight each participant may apply, by node id.
   */
  'weightBounds'?: ({[key: string]: number | string});
  /**
   * FedAvg weighting the nodes apply before masking: "dataset_size" (train rows) or "uniform".
   */
  'weighting'?: (string);
}

/**
 * What every participant agrees on; each node checks it before taking part.
 */
export interface SecAggParameters__Output {
  /**
   * Unique per round; binds every derived key.
   */
  'sessionId': (string);
  /**
   * Sorted node ids of the round.
   */
  'participants': (string)[];
  /**
   * Shares needed to rebuild a node's secrets: more than half of its share holders.
   */
  'threshold': (number);
  /**
   * Degree of the round's neighbour graph (participants - 1 or more: complete graph).
   */
  'neighbours': (number);
  /**
   * Each coordinate of an update is clipped to [-clip_range, clip_range] before quantisation.
   */
  'clipRange': (number);
  /**
   * Largest weight each participant may apply, by node id.
   */
  'weightBounds': ({[key: string]: number});
  /**
   * FedAvg weighting the nodes apply before masking: "dataset_size" (train rows) or "uniform".
   */
  'weighting': (string);
}
