import { DatasetError } from '@fedbiomed/datasets';
import type { ErrorCode, Request__Output } from '@fedbiomed/proto';
import { TrainingError, type DataParallelTraining } from '@fedbiomed/training';
import type { HandlerResult as TransportResult, ReceivedTensors, RequestContext } from '@fedbiomed/transport';
import { openRegisteredDataset, type OpenedDataset } from './dataset-source';
import { NodeError } from './errors';
import { handleAnalytics } from './handlers/analytics';
import { handleApproval, handlePlanStatus } from './handlers/approval';
import { handleEvaluate } from './handlers/evaluate';
import { handleFeatureStatistics } from './handlers/feature-statistics';
import type { Handler, HandlerContext, HandlerResult } from './handlers/handler';
import { errorReply } from './handlers/handler';
import { handlePing } from './handlers/ping';
import { handleSearch } from './handlers/search';
import { handleSecAggSetup, handleSecAggShareKeys, handleSecAggUnmask } from './handlers/secure-aggregation';
import { SecAggSessions } from './secure-aggregation-sessions';
import { handleTrain } from './handlers/train';
import type { Node } from './node';
import { logRequestError } from './operator-log';
import type { DatasetRecord } from './repository';
import { reduceTaskState, type TaskEvent, type TaskState } from './task-state';

type RequestKind = NonNullable<Request__Output['body']>;

/** One handler per request kind; `train` and `evaluate` hold the task slot. */
const HANDLERS: Readonly<Record<RequestKind, Handler>> = {
  search: handleSearch,
  approval: handleApproval,
  planStatus: handlePlanStatus,
  train: handleTrain,
  evaluate: handleEvaluate,
  ping: handlePing,
  featureStatistics: handleFeatureStatistics,
  analytics: handleAnalytics,
  secaggSetup: handleSecAggSetup,
  secaggShareKeys: handleSecAggShareKeys,
  secaggUnmask: handleSecAggUnmask,
};

/** Routes the researcher's requests to the handlers and owns the task slot. */
export interface Dispatcher {
  /** The transport's request handler. */
  handle(request: Request__Output, tensors: ReceivedTensors, context: RequestContext): Promise<TransportResult>;
  /** Refuses new tasks and resolves once the task in flight (if any) has finished. */
  drain(): Promise<void>;
  readonly state: TaskState;
}

/** Opens a registered dataset for a task. */
export type DatasetOpener = (record: DatasetRecord) => Promise<OpenedDataset>;

/**
 * Builds the dispatcher of a running node. `open` reads a registered dataset; a virtual node of a
 * simulation gives one that returns its in-memory data.
 */
export function createDispatcher(
  node: Node,
  researcherId: () => string,
  parallel?: DataParallelTraining,
  open: DatasetOpener = openRegisteredDataset,
): Dispatcher {
  let state: TaskState = { status: 'idle' };
  let inFlight: Promise<unknown> = Promise.resolve();
  const datasets = new Map<string, Promise<OpenedDataset>>();
  const secureAggregation = new SecAggSessions();
  const apply = (event: TaskEvent): void => {
    state = reduceTaskState(state, event);
  };
  const openDataset = (record: DatasetRecord): Promise<OpenedDataset> => {
    let opened = datasets.get(record.id);
    if (!opened) {
      opened = open(record);
      opened.catch(() => datasets.delete(record.id));
      datasets.set(record.id, opened);
    }
    return opened;
  };

  const run = async (request: Request__Output, tensors: ReceivedTensors, context: RequestContext): Promise<HandlerResult> => {
    const kind = request.body;
    if (kind === undefined || request[kind] == null) return errorReply('ERROR_CODE_MALFORMED', 'the request has no body');
    const exclusive = kind === 'train' || kind === 'evaluate';
    if (exclusive && state.status === 'draining') {
      return errorReply('ERROR_CODE_SHUTTING_DOWN', `node ${node.config.nodeName} is shutting down`);
    }
    if (exclusive && state.status === 'running') {
      return errorReply('ERROR_CODE_BUSY', `node ${node.config.nodeName} is busy with request ${state.task.requestId} (${state.task.kind})`);
    }
    const ctx: HandlerContext = {
      node,
      request,
      tensors,
      researcherId: researcherId(),
      signal: context.signal,
      receivedAt: performance.now(),
      emitScalar: (event) =>
        context.sendScalar({
          experimentId: request.experimentId,
          round: request.train?.round ?? 0,
          name: event.name,
          value: event.value,
          step: event.step,
          phase: event.phase,
          timestampMs: Date.now(),
        }),
      openDataset,
      secureAggregation,
      ...(parallel && { parallel }),
    };
    if (!exclusive) return HANDLERS[kind](ctx);
    apply({ type: 'started', task: { requestId: request.requestId, kind, since: ctx.receivedAt } });
    const task = Promise.resolve().then(() => HANDLERS[kind](ctx));
    inFlight = task.catch(() => undefined);
    try {
      return await task;
    } finally {
      apply({ type: 'finished', requestId: request.requestId });
    }
  };

  return {
    async handle(request, tensors, context) {
      let result: HandlerResult;
      try {
        result = await run(request, tensors, context);
        const refusal = result.body.error;
        if (refusal) {
          logRequestError(node.logger, 'refused', {
            kind: request.body ?? 'unknown',
            requestId: request.requestId,
            experimentId: request.experimentId,
            code: refusal.code ?? 'ERROR_CODE_INTERNAL',
            reason: refusal.message ?? '',
          });
        }
      } catch (error) {
        result = failure(node, request, researcherId(), error, context.signal);
      }
      return { reply: result.body, ...(result.payloads && { tensors: result.payloads }) };
    },
    async drain() {
      apply({ type: 'drain' });
      await inFlight;
    },
    get state() {
      return state;
    },
  };
}

/** Maps a handler's failure to an error reply with the right code, and audits it. */
function failure(node: Node, request: Request__Output, actor: string, error: unknown, signal: AbortSignal): HandlerResult {
  const message = error instanceof Error ? error.message : String(error);
  let code: ErrorCode = 'ERROR_CODE_INTERNAL';
  if (signal.aborted) code = 'ERROR_CODE_CANCELLED';
  else if (error instanceof NodeError && error.code === 'MALFORMED_REQUEST') code = 'ERROR_CODE_MALFORMED';
  else if (error instanceof TrainingError || error instanceof DatasetError) code = 'ERROR_CODE_TRAINING_FAILED';
  logRequestError(node.logger, 'failed', { kind: request.body ?? 'unknown', requestId: request.requestId, experimentId: request.experimentId, code, reason: message });
  node.repository.appendAudit({
    actor,
    action: request.body ?? 'unknown',
    outcome: 'failed',
    experimentId: request.experimentId,
    requestId: request.requestId,
    detail: `${code}: ${message}`,
  });
  return errorReply(code as Parameters<typeof errorReply>[0], messageForResearcher(error, message, request.requestId));
}

/**
 * What the researcher is told of a failure. The node's own errors (requests, plans, training) are
 * written not to quote data and go out as they are; any other message (a dataset's: a cell's value,
 * a file's path; a plug-in's; a library's) may quote the rows, so it stays in the node's log and
 * audit, and the researcher gets its kind and where the operator finds it.
 */
function messageForResearcher(error: unknown, message: string, requestId: string): string {
  if (error instanceof NodeError || error instanceof TrainingError) return message;
  const kind = error instanceof DatasetError ? `the dataset could not be read (${error.code})` : `the task failed (${error instanceof Error ? error.name : 'error'})`;
  return `${kind}; the details stay on the node: its operator finds them in the node's log and audit under request ${requestId}`;
}
