import type { Node } from './node';
import { logPlanDecision } from './operator-log';

/** Stops a {@link watchPlanDecisions}. */
export interface PlanDecisionWatch {
  stop(): void;
}

/**
 * Logs each approval or rejection an operator records while the node runs. Operators decide with
 * `fedbiomed node plan approve|reject`, another process writing the same SQLite file, so the
 * running node reads the plans' states every `intervalMs` and logs what changed. Decisions of the
 * allow-list are left out: the approval request that caused them is already logged with them.
 */
export function watchPlanDecisions(node: Node, intervalMs = 1_000): PlanDecisionWatch {
  const seen = new Map<string, string>();
  const stateOf = (approval: { status: string; at?: string }): string => `${approval.status}@${approval.at ?? ''}`;
  const poll = (log: boolean): void => {
    let plans;
    try {
      plans = node.plans.list();
    } catch (error) {
      // A busy or briefly locked database: the next tick reads it again.
      node.logger.debug({ err: (error as Error).message }, 'plan states not read this time');
      return;
    }
    for (const plan of plans) {
      const { approval } = plan;
      const state = stateOf(approval);
      const before = seen.get(plan.sha256) ?? stateOf({ status: 'pending' });
      seen.set(plan.sha256, state);
      if (!log || state === before || approval.status === 'pending' || approval.by.startsWith('policy:')) continue;
      logPlanDecision(node.logger, { planName: plan.name, planSha256: plan.sha256, approval });
    }
  };
  poll(false);
  const timer = setInterval(() => poll(true), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
