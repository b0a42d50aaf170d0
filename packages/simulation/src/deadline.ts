import { addSharedAbortListener, TransportError, type RequestOptions } from '@fedbiomed/transport';

/** Runs `work` until it settles, the timeout passes (`TIMEOUT`) or the caller aborts (`CANCELLED`); either aborts `work`. */
export async function withDeadline<T>(
  context: { nodeId: string; requestId: string },
  options: RequestOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (options.signal?.aborted) throw new TransportError('CANCELLED', `request to node "${context.nodeId}" cancelled before it started`, context);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const stop = (error: TransportError) => {
      controller.abort(error);
      reject(error);
    };
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => stop(new TransportError('TIMEOUT', `node "${context.nodeId}" did not reply within ${options.timeoutMs} ms`, context)), options.timeoutMs);
    }
    onAbort = () => stop(new TransportError('CANCELLED', `request cancelled: ${String(options.signal?.reason ?? 'aborted')}`, context));
    // A round's signal is shared by its requests to every node (--concurrency of them at once).
    if (options.signal !== undefined) addSharedAbortListener(options.signal, onAbort);
  });
  try {
    return await Promise.race([work(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) options.signal?.removeEventListener('abort', onAbort);
  }
}
