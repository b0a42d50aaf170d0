// Original file: proto/fedbiomed/v1/plan.proto


/**
 * A training plan is data, not code: canonical JSON (tfjs layers topology and declared training
 * configuration) identified by the SHA-256 of that canonical form. Nodes approve plans by hash.
 */
export interface TrainingPlan {
  /**
   * Canonical JSON: sorted keys, no insignificant white space, fixed number formatting.
   */
  'canonicalJson'?: (string);
  /**
   * Lower-case hex SHA-256 of canonical_json's UTF-8 bytes.
   */
  'sha256'?: (string);
  /**
   * What the plan holds, e.g. "tfjs-layers". Nodes may restrict the kinds they accept.
   */
  'kind'?: (string);
  /**
   * Human-readable name shown to node operators.
   */
  'name'?: (string);
}

/**
 * A training plan is data, not code: canonical JSON (tfjs layers topology and declared training
 * configuration) identified by the SHA-256 of that canonical form. Nodes approve plans by hash.
 */
export interface TrainingPlan__Output {
  /**
   * Canonical JSON: sorted keys, no insignificant white space, fixed number formatting.
   */
  'canonicalJson': (string);
  /**
   * Lower-case hex SHA-256 of canonical_json's UTF-8 bytes.
   */
  'sha256': (string);
  /**
   * What the plan holds, e.g. "tfjs-layers". Nodes may restrict the kinds they accept.
   */
  'kind': (string);
  /**
   * Human-readable name shown to node operators.
   */
  'name': (string);
}
