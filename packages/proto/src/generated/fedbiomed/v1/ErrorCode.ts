// Original file: proto/fedbiomed/v1/messages.proto

export const ErrorCode = {
  ERROR_CODE_UNSPECIFIED: 'ERROR_CODE_UNSPECIFIED',
  /**
   * Protocol major versions differ; the message says which side to upgrade.
   */
  ERROR_CODE_VERSION_MISMATCH: 'ERROR_CODE_VERSION_MISMATCH',
  /**
   * Missing or wrong enrolment token, or a certificate that does not match the claimed node id.
   */
  ERROR_CODE_UNAUTHENTICATED: 'ERROR_CODE_UNAUTHENTICATED',
  /**
   * The node is not known to / not allowed by the researcher.
   */
  ERROR_CODE_UNKNOWN_NODE: 'ERROR_CODE_UNKNOWN_NODE',
  ERROR_CODE_PLAN_NOT_APPROVED: 'ERROR_CODE_PLAN_NOT_APPROVED',
  ERROR_CODE_PLAN_REJECTED: 'ERROR_CODE_PLAN_REJECTED',
  ERROR_CODE_DATASET_NOT_FOUND: 'ERROR_CODE_DATASET_NOT_FOUND',
  /**
   * A node policy forbids the request (dataset type, minimum samples, secure aggregation...).
   */
  ERROR_CODE_POLICY_VIOLATION: 'ERROR_CODE_POLICY_VIOLATION',
  /**
   * The node is already running a task.
   */
  ERROR_CODE_BUSY: 'ERROR_CODE_BUSY',
  /**
   * The request or frame does not follow the contract.
   */
  ERROR_CODE_MALFORMED: 'ERROR_CODE_MALFORMED',
  ERROR_CODE_TRAINING_FAILED: 'ERROR_CODE_TRAINING_FAILED',
  ERROR_CODE_CANCELLED: 'ERROR_CODE_CANCELLED',
  ERROR_CODE_TIMEOUT: 'ERROR_CODE_TIMEOUT',
  /**
   * A tensor transfer failed its length or digest check, or was cut.
   */
  ERROR_CODE_TRANSFER_FAILED: 'ERROR_CODE_TRANSFER_FAILED',
  ERROR_CODE_INTERNAL: 'ERROR_CODE_INTERNAL',
  ERROR_CODE_SHUTTING_DOWN: 'ERROR_CODE_SHUTTING_DOWN',
} as const;

export type ErrorCode =
  | 'ERROR_CODE_UNSPECIFIED'
  | 0
  /**
   * Protocol major versions differ; the message says which side to upgrade.
   */
  | 'ERROR_CODE_VERSION_MISMATCH'
  | 1
  /**
   * Missing or wrong enrolment token, or a certificate that does not match the claimed node id.
   */
  | 'ERROR_CODE_UNAUTHENTICATED'
  | 2
  /**
   * The node is not known to / not allowed by the researcher.
   */
  | 'ERROR_CODE_UNKNOWN_NODE'
  | 3
  | 'ERROR_CODE_PLAN_NOT_APPROVED'
  | 4
  | 'ERROR_CODE_PLAN_REJECTED'
  | 5
  | 'ERROR_CODE_DATASET_NOT_FOUND'
  | 6
  /**
   * A node policy forbids the request (dataset type, minimum samples, secure aggregation...).
   */
  | 'ERROR_CODE_POLICY_VIOLATION'
  | 7
  /**
   * The node is already running a task.
   */
  | 'ERROR_CODE_BUSY'
  | 8
  /**
   * The request or frame does not follow the contract.
   */
  | 'ERROR_CODE_MALFORMED'
  | 9
  | 'ERROR_CODE_TRAINING_FAILED'
  | 10
  | 'ERROR_CODE_CANCELLED'
  | 11
  | 'ERROR_CODE_TIMEOUT'
  | 12
  /**
   * A tensor transfer failed its length or digest check, or was cut.
   */
  | 'ERROR_CODE_TRANSFER_FAILED'
  | 13
  | 'ERROR_CODE_INTERNAL'
  | 14
  | 'ERROR_CODE_SHUTTING_DOWN'
  | 15

export type ErrorCode__Output = typeof ErrorCode[keyof typeof ErrorCode]
