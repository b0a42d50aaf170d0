// Original file: proto/fedbiomed/v1/messages.proto

export const PlanStatus = {
  PLAN_STATUS_UNSPECIFIED: 'PLAN_STATUS_UNSPECIFIED',
  /**
   * The node has never seen this hash.
   */
  PLAN_STATUS_UNKNOWN: 'PLAN_STATUS_UNKNOWN',
  PLAN_STATUS_PENDING: 'PLAN_STATUS_PENDING',
  PLAN_STATUS_APPROVED: 'PLAN_STATUS_APPROVED',
  PLAN_STATUS_REJECTED: 'PLAN_STATUS_REJECTED',
} as const;

export type PlanStatus =
  | 'PLAN_STATUS_UNSPECIFIED'
  | 0
  /**
   * The node has never seen this hash.
   */
  | 'PLAN_STATUS_UNKNOWN'
  | 1
  | 'PLAN_STATUS_PENDING'
  | 2
  | 'PLAN_STATUS_APPROVED'
  | 3
  | 'PLAN_STATUS_REJECTED'
  | 4

export type PlanStatus__Output = typeof PlanStatus[keyof typeof PlanStatus]
