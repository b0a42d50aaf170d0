import { createTransportFederation } from '@fedbiomed/researcher';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SimulationError } from './errors';
import { SimulationRunner } from './simulation-runner';
import { WorkerChannel } from './worker-channel';
import type { FromNodeWorker, NodeWorkerData, ToNodeWorker, WorkerNode } from './worker-protocol';

/** The worker entry, compiled: from `src` (tests) and `dist` alike. */
const WORKER_SCRIPT = join(__dirname, '..', 'dist', 'node-worker.js');
/** How long a worker may take to start its backend and build its nodes (reading a dataset included). */
const STARTUP_TIMEOUT_MS = 300_000;
/** How long a worker may take to close its nodes' databases. */
const CLOSE_TIMEOUT_MS = 10_000;

/** Options of {@link WorkerSimulation.start}. */
export interface WorkerSimulationOptions {
  /**
   * Path (or `file:` URL) of a module that builds the simulation's nodes: every worker imports it and
   * calls its function `exportName` with `args`, so it must give the same nodes each time (seed its
   * partition). `partitionNodes` of this package builds them from one dataset.
   */
  readonly nodesModule: string;
  /** Default: `simulatedNodes`. */
  readonly exportName?: string;
  /** Plain data (structured-cloneable) passed to that function. */
  readonly args?: unknown;
  /** Worker threads; node `i` lives in worker `i mod workers`. Default: the machine's cores (`os.availableParallelism()`). */
  readonly workers?: number;
  /** As `Simulation`'s `stateDir`: one SQLite file per node, for resuming. */
  readonly stateDir?: string;
}

/**
 * A simulation whose virtual nodes are spread over worker threads, so that a round's nodes train on
 * several cores: the same node handlers as `Simulation`, the same experiments, breakpoints and
 * central evaluation, and the same weights to the last bit (replies reach the strategy in the order
 * of the requests, as in one thread). Each worker reads the data itself, from `nodesModule`.
 *
 * @example
 * ```ts
 * const simulation = await WorkerSimulation.start({ nodesModule: '/path/to/nodes.mjs', args: { seed: 1 }, workers: 4 });
 * const experiment = simulation.experiment({ tags: ['mnist'], plan, strategy: new FedAvg(), rounds: 10, trainingArgs, seed: 1 });
 * await experiment.run();
 * await simulation.close();
 * ```
 */
export class WorkerSimulation extends SimulationRunner {
  /** The nodes' ids, in the order the module gave them. */
  readonly nodeIds: readonly string[];
  readonly #workers: readonly Worker[];
  readonly #exited = new Set<Worker>();

  private constructor(channel: WorkerChannel, workers: readonly Worker[]) {
    super(createTransportFederation(channel));
    this.nodeIds = channel.nodes().map(({ id }) => id);
    this.#workers = workers;
    for (const worker of workers) worker.once('exit', () => this.#exited.add(worker));
  }

  /**
   * Starts the workers and waits until each has built its nodes.
   *
   * @throws SimulationError INVALID_OPTION when the worker script is not built, the module cannot be
   * loaded or builds no node, or a worker does not start (the worker's message is given)
   */
  static async start(options: WorkerSimulationOptions): Promise<WorkerSimulation> {
    if (!existsSync(WORKER_SCRIPT)) throw new SimulationError('INVALID_OPTION', `worker script ${WORKER_SCRIPT} is missing: build @fedbiomed/simulation first (tsc -b)`);
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1) throw new SimulationError('INVALID_OPTION', `workers must be a positive integer, got ${options.workers}`);
    const nodesModule = options.nodesModule.startsWith('file:') ? options.nodesModule : resolve(options.nodesModule);
    const workers = Array.from({ length: count }, (_, workerIndex) => {
      const workerData: NodeWorkerData = {
        nodesModule,
        exportName: options.exportName ?? 'simulatedNodes',
        args: options.args,
        workerIndex,
        workerCount: count,
        ...(options.stateDir !== undefined && { stateDir: resolve(options.stateDir) }),
      };
      return new Worker(WORKER_SCRIPT, { workerData });
    });
    try {
      const started = await Promise.all(workers.map((worker, index) => ready(worker, index)));
      if (started.every((nodes) => nodes.length === 0)) throw new SimulationError('INVALID_OPTION', `${options.nodesModule} built no node`);
      return new WorkerSimulation(new WorkerChannel(started.map((nodes, index) => ({ worker: workers[index] as Worker, nodes }))), workers);
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
  }

  /** Closes the nodes' databases, then stops the workers (a worker that does not answer within 10 s is stopped all the same). */
  async close(): Promise<void> {
    await Promise.all(
      this.#workers.map(async (worker) => {
        if (this.#exited.has(worker)) return;
        await new Promise<void>((done) => {
          const timer = setTimeout(done, CLOSE_TIMEOUT_MS);
          const finish = () => {
            clearTimeout(timer);
            done();
          };
          worker.on('message', (message: FromNodeWorker) => {
            if (message.type === 'closed') finish();
          });
          worker.once('exit', finish);
          worker.postMessage({ type: 'close' } satisfies ToNodeWorker);
        });
        await worker.terminate();
      }),
    );
  }
}

function ready(worker: Worker, index: number): Promise<WorkerNode[]> {
  return new Promise((resolvePromise, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new SimulationError('INVALID_OPTION', `simulation worker ${index} did not start: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
    const onMessage = (message: FromNodeWorker) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolvePromise(message.nodes);
      } else if (message.type === 'startup-failed') {
        fail(message.message);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', (error) => fail(error.message));
    worker.once('exit', (code) => fail(`it exited (code ${code})`));
  });
}
