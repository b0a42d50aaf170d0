import { readFileSync } from 'node:fs';
import { NodeClient, type ClientTlsOptions } from '@fedbiomed/transport';
import { resolveInNodeDir, type NodeConfig } from './config';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { NodeError } from './errors';
import type { Node } from './node';
import type { TaskState } from './task-state';

/** Options of {@link startNode}; each overrides the config. */
export interface StartNodeOptions {
  /** Prefer a GPU backend when one is installed (`--gpu`). */
  readonly useGpu?: boolean;
  /** Force a tfjs backend by name. */
  readonly backend?: string;
  /** Reconnection backoff (default base 1 s, cap 30 s). */
  readonly backoff?: { readonly baseMs?: number; readonly capMs?: number };
}

/** A node connected to its researcher. */
export interface RunningNode {
  /** The tfjs backend training runs on. */
  readonly backend: string;
  /** Where the task slot stands. */
  readonly taskState: TaskState;
  /**
   * Stops gracefully: refuses new tasks, lets the one in flight finish and send its reply, then
   * closes the session. Resolves with {@link stopped}.
   */
  stop(): Promise<void>;
  /** Resolves once the node has stopped (by {@link stop} or a final refusal by the researcher). */
  readonly stopped: Promise<void>;
}

/**
 * Selects the training backend, then connects to the researcher named in the config and answers
 * its requests. Resolves once the first session is accepted.
 *
 * @throws NodeError CONNECTION_FAILED when the researcher refuses the node for good
 */
export async function startNode(node: Node, options: StartNodeOptions = {}): Promise<RunningNode> {
  const { config, logger } = node;
  const backend = await selectTrainingBackend(config, options);
  let researcherId = '';
  const dispatcher: Dispatcher = createDispatcher(node, () => researcherId);
  const client = new NodeClient({
    address: config.researcher.address,
    nodeId: config.nodeId,
    nodeName: config.nodeName,
    capabilities: ['train', 'evaluate', `backend:${backend}`],
    enrolmentToken: config.researcher.enrolmentToken,
    ...(config.researcher.tls && { tls: readTls(node.paths.root, config.researcher.tls) }),
    handler: (request, tensors, context) => dispatcher.handle(request, tensors, context),
    ...(options.backoff && { backoff: options.backoff }),
    logger: logger.child({ module: 'transport' }),
  });
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  client.on('connected', (event) => {
    researcherId = event.researcherId;
  });
  client.on('refused', (error) => {
    logger.error({ code: error.code }, `the researcher refused this node: ${error.message}`);
    resolveStopped();
  });
  logger.info({ address: config.researcher.address, nodeId: config.nodeId, backend }, 'connecting to the researcher');
  try {
    await client.start();
  } catch (error) {
    client.stop();
    throw new NodeError('CONNECTION_FAILED', `node ${config.nodeId} could not join ${config.researcher.address}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let stopping: Promise<void> | undefined;
  return {
    backend,
    get taskState() {
      return dispatcher.state;
    },
    stopped,
    stop() {
      stopping ??= (async () => {
        await dispatcher.drain();
        // The transport sends a reply's tensor chunks after the handler returns: let them drain.
        await new Promise((resolve) => setTimeout(resolve, 200));
        client.stop();
        logger.info({}, 'node stopped');
        resolveStopped();
      })();
      return stopping;
    },
  };
}

async function selectTrainingBackend(config: NodeConfig, options: StartNodeOptions): Promise<string> {
  // Until training ships its backend selection, the node reports what it was asked for.
  const wanted = options.backend ?? config.training.backend;
  return wanted !== '' ? wanted : (options.useGpu ?? config.training.useGpu) ? 'gpu' : 'default';
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
