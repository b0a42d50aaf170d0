import type { NodeInfo, ResearcherServer } from '@fedbiomed/transport';
import { ResearcherError } from './errors';

/** Options of {@link waitForNodes}. */
export interface WaitForNodesOptions {
  /** Resolve once at least this many nodes are online. */
  readonly count: number;
  /** Give up after this long (default: wait until `signal` aborts). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Resolves, with the online nodes, once at least `count` nodes are connected to `server` (at once
 * when they already are). Throws `NODES_TIMEOUT` naming the nodes online after `timeoutMs`, and
 * `ABORTED` when `signal` aborts.
 */
export async function waitForNodes(server: Pick<ResearcherServer, 'nodes' | 'on'>, options: WaitForNodesOptions): Promise<NodeInfo[]> {
  const { count, timeoutMs, signal } = options;
  if (!Number.isInteger(count) || count < 1) throw new ResearcherError('INVALID_OPTION', `waitForNodes: count must be a positive integer, got ${count}`);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ResearcherError('INVALID_OPTION', `waitForNodes: timeoutMs must be positive, got ${timeoutMs}`);
  const online = (): NodeInfo[] => server.nodes().filter((node) => node.state === 'online');
  if (online().length >= count) return online();
  return new Promise<NodeInfo[]>((resolve, reject) => {
    const finish = (error?: ResearcherError): void => {
      stop();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else resolve(online());
    };
    const onAbort = (): void => finish(new ResearcherError('ABORTED', 'waitForNodes was aborted', { cause: signal?.reason }));
    const stop = server.on('nodeOnline', () => {
      if (online().length >= count) finish();
    });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            const names = online().map((node) => node.name);
            finish(new ResearcherError('NODES_TIMEOUT', `waited ${timeoutMs} ms for ${count} node(s); ${names.length} online${names.length > 0 ? `: ${names.join(', ')}` : ''}`));
          }, timeoutMs);
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
