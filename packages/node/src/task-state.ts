/**
 * The node's task slot: at most one train or evaluate request runs at a time, and a stopping node
 * finishes the one in flight but takes no new one. Changed only by {@link reduceTaskState}.
 */

/** A train or evaluate request holding the slot. */
export interface RunningTask {
  readonly requestId: string;
  readonly kind: 'train' | 'evaluate';
  /** `performance.now()` when it started. */
  readonly since: number;
}

/** Where the slot stands. */
export type TaskState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly task: RunningTask }
  /** Stopping: the task in flight (if any) is finishing; new tasks are refused. */
  | { readonly status: 'draining'; readonly task?: RunningTask };

/** What happens to the slot. */
export type TaskEvent =
  | { readonly type: 'started'; readonly task: RunningTask }
  | { readonly type: 'finished'; readonly requestId: string }
  | { readonly type: 'drain' };

/** Applies one event; a `started` event is only valid on an idle slot (callers check first). */
export function reduceTaskState(state: TaskState, event: TaskEvent): TaskState {
  switch (event.type) {
    case 'started':
      return state.status === 'idle' ? { status: 'running', task: event.task } : state;
    case 'finished':
      if (state.status === 'idle' || state.task?.requestId !== event.requestId) return state;
      return state.status === 'running' ? { status: 'idle' } : { status: 'draining' };
    case 'drain':
      return state.status === 'draining' ? state : state.status === 'running' ? { status: 'draining', task: state.task } : { status: 'draining' };
  }
}
