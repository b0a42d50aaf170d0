/**
 * A plan's approval state and the reducer that alone changes it. Every transition is an event so
 * the audit table and the state can never disagree on what happened.
 */

/** Where a plan stands on this node. */
export type PlanApproval =
  | { readonly status: 'pending'; readonly notes: string }
  | { readonly status: 'approved'; readonly by: string; readonly at: string; readonly notes: string }
  | { readonly status: 'rejected'; readonly by: string; readonly at: string; readonly notes: string };

/** Something that happens to a plan. */
export type PlanEvent =
  /** A researcher asked for approval or an operator registered the plan. */
  | { readonly type: 'submitted'; readonly notes?: string }
  | { readonly type: 'approved'; readonly by: string; readonly at: string; readonly notes?: string }
  | { readonly type: 'rejected'; readonly by: string; readonly at: string; readonly notes?: string }
  /** The node's allow-list covers every layer of the plan. */
  | { readonly type: 'auto-approved'; readonly at: string; readonly reason: string };

/**
 * Applies one event. A plan seen again keeps its state; an operator may approve a rejected plan or
 * reject (revoke) an approved one; the allow-list never overrides an operator's rejection.
 *
 * @param state - the current state, `undefined` for a plan the node has never seen
 */
export function reducePlanApproval(state: PlanApproval | undefined, event: PlanEvent): PlanApproval {
  switch (event.type) {
    case 'submitted':
      return state ?? { status: 'pending', notes: event.notes ?? '' };
    case 'approved':
    case 'rejected':
      return {
        status: event.type,
        by: event.by,
        at: event.at,
        notes: event.notes ?? (state?.notes ?? ''),
      };
    case 'auto-approved':
      if (state !== undefined && state.status !== 'pending') return state;
      return { status: 'approved', by: 'policy:auto-approve', at: event.at, notes: event.reason };
  }
}
