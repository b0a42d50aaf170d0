import { readFileSync } from 'node:fs';
import { DataParallelTraining, selectBackend, type BackendKind, type BackendSelection } from '@fedbiomed/training';
import { NodeClient, type ClientTlsOptions } from '@fedbiomed/transport';
import { maxRequestBytes } from './task-limits';
import { resolveInNodeDir, type NodeConfig } from './config';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { NodeError } from './errors';
import { lockNodeFolder } from './folder-lock';
import type { Node } from './node';
import type { OperatorEvent } from './operator-log';
import { watchPlanDecisions } from './plan-decision-watch';
import { loadNodePlugins } from './plugins';
import type { TaskState } from './task-state';

/** Options of {@link startNode}; each overrides the config. */
export interface StartNodeOptions {
  /** Prefer a GPU backend when one is installed (`--gpu`). */
  readonly useGpu?: boolean;
  /** Force a backend instead of the config's `training.backend`. */
  readonly backend?: BackendKind;
  /** Reconnection backoff (default base 1 s, cap 30 s). */
  readonly backoff?: { readonly baseMs?: number; readonly capMs?: number };
  /** Aborting gives up waiting for the first session (e.g. SIGTERM before the researcher is up). */
  readonly signal?: AbortSignal;
}

/** A node connected to its researcher. */
export interface RunningNode {
  /** The tfjs backend training runs on (`tf.getBackend()`), chosen by `@fedbiomed/training`'s `selectBackend`. */
  readonly backend: string;
  /** Threads a training round uses: above 1 when `training.threads` started data-parallel workers. */
  readonly trainingThreads: number;
  /** Where the task slot stands. */
  readonly taskState: TaskState;
  /**
   * Stops gracefully: refuses new tasks, lets the one in flight finish and send its reply, then
   * closes the session. Resolves with {@link stopped}.
   */
  stop(): Promise<void>;
  /**
   * Resolves once the node has stopped: with `undefined` after {@link stop}, with the reason when
   * the researcher refused the node for good (bad token or certificate, unknown node, version).
   */
  readonly stopped: Promise<NodeError | undefined>;
}

/**
 * Locks the node folder (one running node per folder), loads the plug-ins its config lists
 * (`loadNodePlugins`), activates the fastest tfjs backend
 * available (or the one forced), then connects to the researcher named in the config and answers
 * its requests; keeps retrying while the researcher is unreachable, and keeps the process alive
 * until stopped. Resolves once the first session is accepted. The lock is released when the node
 * stops, is refused, or fails to start.
 *
 * @throws NodeError FOLDER_IN_USE when another running node holds the folder; PLUGIN_LOAD_FAILED
 * when a listed plug-in is not installed or malformed; CONNECTION_FAILED
 * when the researcher refuses the node for good or `signal` aborts
 */
export async function startNode(node: Node, options: StartNodeOptions = {}): Promise<RunningNode> {
  const lock = lockNodeFolder(node.paths.root, node.paths.lock, node.logger);
  try {
    return await runNode(node, options, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** {@link startNode} once the folder is locked; `release` runs once the node has stopped for good. */
async function runNode(node: Node, options: StartNodeOptions, release: () => void): Promise<RunningNode> {
  const { config, logger } = node;
  await loadNodePlugins(node);
  const backend = await activateBackend(config, options);
  logger.info({ backend: backend.backend }, `training backend: ${backend.reason}`);
  const parallel = await startDataParallel(config, backend, node.logger);
  let researcherId = '';
  const dispatcher: Dispatcher = createDispatcher(node, () => researcherId, parallel);
  const client = new NodeClient({
    address: config.researcher.address,
    nodeId: config.nodeId,
    nodeName: config.nodeName,
    capabilities: ['train', 'evaluate', `backend:${backend.backend}`],
    enrolmentToken: config.researcher.enrolmentToken,
    // A request's tensors are received before its plan is checked: bound them by the node's size limit.
    maxTransferBytes: maxRequestBytes(config.limits),
    ...(config.researcher.tls && { tls: readTls(node.paths.root, config.researcher.tls) }),
    handler: (request, tensors, context) => dispatcher.handle(request, tensors, context),
    ...(options.backoff && { backoff: options.backoff }),
    logger: logger.child({ module: 'transport' }),
  });
  // gRPC's retry timers do not hold the process open: a daemon must, until it is stopped.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  const planWatch = watchPlanDecisions(node);
  let resolveStopped!: (reason: NodeError | undefined) => void;
  const stopped = new Promise<NodeError | undefined>((resolve) => (resolveStopped = resolve));
  const finish = (reason: NodeError | undefined): void => {
    clearInterval(keepAlive);
    planWatch.stop();
    release();
    resolveStopped(reason);
  };
  client.on('connected', (event) => {
    researcherId = event.researcherId;
  });
  // The transport logs the refusal with the researcher's reason.
  client.on('refused', (error) => {
    void parallel?.close();
    finish(new NodeError('CONNECTION_FAILED', `the researcher refused node ${config.nodeId}: ${error.message}`, { cause: error }));
  });
  const abort = (): void => client.stop();
  options.signal?.addEventListener('abort', abort, { once: true });
  logger.info(
    { event: 'connecting' satisfies OperatorEvent, address: config.researcher.address, nodeId: config.nodeId, nodeName: config.nodeName },
    `node ${config.nodeName} (${config.nodeId}) connecting to the researcher at ${config.researcher.address}`,
  );
  try {
    if (options.signal?.aborted) throw new Error('aborted before connecting');
    await client.start();
  } catch (error) {
    clearInterval(keepAlive);
    planWatch.stop();
    client.stop();
    await parallel?.close();
    throw new NodeError('CONNECTION_FAILED', `node ${config.nodeId} could not join ${config.researcher.address}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let stopping: Promise<void> | undefined;
  return {
    backend: backend.backend,
    trainingThreads: parallel?.threads ?? 1,
    get taskState() {
      return dispatcher.state;
    },
    stopped,
    stop() {
      stopping ??= (async () => {
        await dispatcher.drain();
        // Resolves once the in-flight replies and their tensor chunks have reached the researcher;
        // it refuses new requests meanwhile and stops the client in every case.
        await client.drain({ timeoutMs: 30_000 }).catch((error: unknown) =>
          logger.warn({ err: (error as Error).message }, 'in-flight reply not fully delivered before stopping'),
        );
        await parallel?.close();
        logger.info({}, 'node stopped');
        finish(undefined);
      })();
      return stopping;
    },
  };
}

async function activateBackend(config: NodeConfig, options: StartNodeOptions): Promise<BackendSelection> {
  const forced = options.backend ?? config.training.backend;
  try {
    return await selectBackend({
      preferGpu: options.useGpu ?? config.training.useGpu,
      ...(forced !== '' && { allow: [forced] }),
    });
  } catch (error) {
    throw new NodeError('BACKEND_UNAVAILABLE', `${forced !== '' ? `backend "${forced}": ` : ''}${(error as Error).message}`, { cause: error });
  }
}

/** Worker threads for data-parallel training when `training.threads` > 1 and the backend is wasm. */
async function startDataParallel(config: NodeConfig, backend: BackendSelection, logger: Node['logger']): Promise<DataParallelTraining | undefined> {
  const { threads } = config.training;
  if (threads <= 1) return undefined;
  if (backend.backend !== 'wasm') {
    logger.warn({ threads, backend: backend.backend }, `training.threads = ${threads} ignored: the ${backend.backend} backend schedules its own threads`);
    return undefined;
  }
  try {
    const parallel = await DataParallelTraining.start({ threads });
    logger.info({ threads }, `training on ${threads} threads (data parallel, wasm)`);
    return parallel;
  } catch (error) {
    throw new NodeError('BACKEND_UNAVAILABLE', `training.threads = ${threads}: ${(error as Error).message}`, { cause: error });
  }
}

function readTls(dir: string, tls: NonNullable<NodeConfig['researcher']['tls']>): ClientTlsOptions {
  const read = (path: string, what: string): string => {
    const file = resolveInNodeDir(dir, path);
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new NodeError('INVALID_CONFIG', `cannot read the ${what} ${file}: ${(error as Error).message}`);
    }
  };
  return {
    caPem: read(tls.caCert, 'CA certificate'),
    ...(tls.cert && { certPem: read(tls.cert, 'node certificate') }),
    ...(tls.key && { keyPem: read(tls.key, 'node key') }),
    ...(tls.serverName && { serverName: tls.serverName }),
  };
}
