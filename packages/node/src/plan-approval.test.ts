import { reducePlanApproval, type PlanApproval } from './plan-approval';

describe('reducePlanApproval', () => {
  const at = '2026-01-01T00:00:00.000Z';

  it('a new plan is pending; submitting it again keeps its state', () => {
    const pending = reducePlanApproval(undefined, { type: 'submitted', notes: 'please' });
    expect(pending).toEqual({ status: 'pending', notes: 'please' });
    const approved = reducePlanApproval(pending, { type: 'approved', by: 'alice', at });
    expect(reducePlanApproval(approved, { type: 'submitted' })).toBe(approved);
  });

  it('an operator may approve, reject (revoke) and approve again', () => {
    let state: PlanApproval | undefined = reducePlanApproval(undefined, { type: 'submitted' });
    state = reducePlanApproval(state, { type: 'approved', by: 'alice', at, notes: 'ok' });
    expect(state).toEqual({ status: 'approved', by: 'alice', at, notes: 'ok' });
    state = reducePlanApproval(state, { type: 'rejected', by: 'bob', at, notes: 'leaks' });
    expect(state).toEqual({ status: 'rejected', by: 'bob', at, notes: 'leaks' });
    state = reducePlanApproval(state, { type: 'approved', by: 'alice', at });
    expect(state.status).toBe('approved');
    expect(state.notes).toBe('leaks');
  });

  it('the allow-list approves pending or new plans but never overrides a rejection', () => {
    const auto = { type: 'auto-approved', at, reason: 'Dense only' } as const;
    expect(reducePlanApproval(undefined, auto)).toEqual({ status: 'approved', by: 'policy:auto-approve', at, notes: 'Dense only' });
    const rejected = reducePlanApproval(undefined, { type: 'rejected', by: 'bob', at });
    expect(reducePlanApproval(rejected, auto)).toBe(rejected);
  });
});
