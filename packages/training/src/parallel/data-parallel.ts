import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import type { PlanSpec } from '../plan/plan-spec';
import { Command, Control, StepStatus, workerBufferBytes, workerViews, type RoundMessage, type RoundShape, type WorkerMessage, type WorkerViews } from './shared-layout';

/** The worker entry, compiled: from `src/parallel` (tests) and `dist/parallel` alike. */
const WORKER_SCRIPT = join(__dirname, '..', '..', 'dist', 'parallel', 'gradient-worker.js');
/** How long a worker may take to start its backend or build a round's model. */
const SETUP_TIMEOUT_MS = 120_000;

/** `Atomics.waitAsync` (ES2024; Node ≥ 16 has it, the ES2022 lib this package compiles against does not). */
const waitAsync = (Atomics as unknown as {
  waitAsync(view: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/**
 * Gradients and loss of one batch, averaged over its shards as if computed on the whole batch (a
 * type alias, not an interface, so that `tf.tidy` accepts it as a tensor container).
 */
export type BatchGradients = { readonly value: tf.Scalar; readonly grads: tf.NamedTensorMap };

/**
 * Synchronous data parallelism on the wasm backend: `threads − 1` worker threads, each with its own
 * wasm instance and a replica of the model, compute the gradients of a shard of every batch while the
 * calling thread computes its own shard; the gradients are averaged, weighted by shard size, and the
 * caller's optimiser applies them once, so optimisers, SCAFFOLD, FedProx and DP work unchanged. New
 * weights reach the replicas through shared memory before the next step. tfjs-wasm runs one thread
 * in Node; this is how a training round uses more than one core.
 *
 * Start it once per process ({@link DataParallelTraining.start}), pass it to `trainLocal` as
 * `parallel`, and {@link DataParallelTraining.close} it on shutdown.
 *
 * @example
 * ```ts
 * const parallel = await DataParallelTraining.start({ threads: 2 });
 * try {
 *   await trainLocal({ plan, weights, dataset, trainIndices, args, parallel });
 * } finally {
 *   await parallel.close();
 * }
 * ```
 */
export class DataParallelTraining {
  private failure: Error | undefined;
  private closed = false;
  /** A round holds the workers from `beginRound` to its `end`: they serve one round at a time. */
  private roundActive = false;
  private readonly failures: string[] = [];

  private constructor(private readonly workers: readonly Worker[]) {
    workers.forEach((worker, rank) => {
      const fail = (reason: string) => {
        this.failure ??= new TrainingError('BACKEND_UNAVAILABLE', `gradient worker ${rank + 1} ${reason}`);
        this.wakeAll();
      };
      worker.on('error', (err) => fail(`failed: ${err.message}`));
      worker.on('exit', (code) => {
        if (!this.closed) fail(`exited (code ${code})`);
      });
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'failed') this.failures.push(`gradient worker ${rank + 1}: ${message.message}`);
      });
    });
  }

  /**
   * Starts the worker threads (each loads tfjs and the wasm backend). `threads` counts the calling
   * thread: 2 starts one worker.
   */
  static async start(options: { readonly threads: number }): Promise<DataParallelTraining> {
    const { threads } = options;
    if (!Number.isInteger(threads) || threads < 2) {
      throw new TrainingError('INVALID_ARGUMENT', `data-parallel training needs threads ≥ 2, got ${threads}`);
    }
    if (!existsSync(WORKER_SCRIPT)) {
      throw new TrainingError('BACKEND_UNAVAILABLE', `gradient worker script ${WORKER_SCRIPT} is missing: build @fedbiomed/training first (tsc -b)`);
    }
    const workers = Array.from({ length: threads - 1 }, () => new Worker(WORKER_SCRIPT));
    try {
      await Promise.all(workers.map((worker, rank) => expectMessage(worker, 'ready', `gradient worker ${rank + 1} starting the wasm backend`)));
    } catch (err) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw err;
    }
    return new DataParallelTraining(workers);
  }

  /** Threads a round uses, the calling one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Prepares a round: every replica builds the plan's model. `variables` are the caller's trainable
   * weights, whose current values the replicas load; `batchSize` bounds the shards.
   */
  async beginRound(options: {
    readonly plan: PlanSpec;
    readonly variables: readonly tf.Variable[];
    readonly batchSize: number;
    readonly featureShape: readonly number[];
    readonly labelShape: readonly number[];
  }): Promise<ParallelRound> {
    this.throwIfUnusable();
    if (tf.getBackend() !== 'wasm') {
      throw new TrainingError('INVALID_ARGUMENT', `data-parallel training runs on the wasm backend; the active backend is ${tf.getBackend()}`);
    }
    if (this.roundActive) {
      throw new TrainingError('INVALID_ARGUMENT', 'the data-parallel workers are serving another round; run rounds that share them one after another');
    }
    this.roundActive = true;
    try {
      return await this.prepareRound(options);
    } catch (err) {
      this.roundActive = false;
      throw err;
    }
  }

  private async prepareRound(options: Parameters<DataParallelTraining['beginRound']>[0]): Promise<ParallelRound> {
    const width = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    const shape: RoundShape = {
      parameters: options.variables.reduce((n, v) => n + v.size, 0),
      maxShard: Math.ceil(options.batchSize / this.threads),
      featureWidth: width(options.featureShape),
      labelWidth: width(options.labelShape),
    };
    const weights = new SharedArrayBuffer(4 * shape.parameters);
    const buffers = this.workers.map(() => new SharedArrayBuffer(workerBufferBytes(shape)));
    await Promise.all(
      this.workers.map((worker, rank) => {
        const ready = expectMessage(worker, 'round-ready', `gradient worker ${rank + 1} building the round's model`);
        const message: RoundMessage = {
          type: 'round',
          plan: options.plan,
          shape,
          featureShape: options.featureShape,
          labelShape: options.labelShape,
          buffer: buffers[rank]!,
          weights,
        };
        worker.postMessage(message);
        return ready;
      }),
    );
    const round = new ParallelRound(
      this,
      buffers.map((buffer) => workerViews(buffer, shape)),
      new Float32Array(weights),
      shape,
      options.variables,
    );
    round.publish();
    return round;
  }

  /** Stops the worker threads. The object is unusable afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /** @internal Throws the first worker failure, or if closed. */
  throwIfUnusable(): void {
    if (this.closed) throw new TrainingError('INVALID_ARGUMENT', 'data-parallel training was closed');
    if (this.failure) throw this.failure;
    const reported = this.failures.shift();
    if (reported) throw new TrainingError('BACKEND_UNAVAILABLE', reported);
  }

  /** @internal Frees the workers for the next round. */
  roundEnded(): void {
    this.roundActive = false;
  }

  /** @internal Records a failure that makes the workers unusable. */
  fail(err: Error): void {
    this.failure ??= err;
  }

  /** @internal Wakes the training thread if it waits on a worker that will never answer. */
  wakeAll(): void {
    this.waiters.forEach((control) => Atomics.notify(control, Control.DONE));
  }

  /** @internal Control blocks being waited on. */
  readonly waiters = new Set<Int32Array>();
}

/** One round's use of the workers: gradients per batch, weights after each step. */
export class ParallelRound {
  private version = 0;
  private ended = false;

  /** @internal */
  constructor(
    private readonly owner: DataParallelTraining,
    private readonly views: readonly WorkerViews[],
    private readonly weights: Float32Array,
    private readonly shape: RoundShape,
    private readonly variables: readonly tf.Variable[],
  ) {}

  /**
   * Gradients of `loss` over the batch `xs`, `ys`: the first shard here (through `local`, which
   * returns the gradients and loss of the shard it is given), the others on the workers at the same
   * time; the average is weighted by shard size.
   */
  async gradients(xs: tf.Tensor, ys: tf.Tensor, local: (xs: tf.Tensor, ys: tf.Tensor) => BatchGradients): Promise<BatchGradients> {
    this.owner.throwIfUnusable();
    const total = xs.shape[0]!;
    const sizes = shardSizes(total, this.views.length + 1);
    const features = xs.dataSync();
    const labels = ys.dataSync();
    const { featureWidth, labelWidth } = this.shape;
    let start = sizes[0]!;
    const started: { view: WorkerViews; request: number; samples: number }[] = [];
    this.views.forEach((view, rank) => {
      const samples = sizes[rank + 1]!;
      if (samples === 0) return;
      view.features.set(features.subarray(start * featureWidth, (start + samples) * featureWidth));
      view.labels.set(labels.subarray(start * labelWidth, (start + samples) * labelWidth));
      start += samples;
      started.push({ view, samples, request: this.request(view, Command.STEP, samples) });
    });
    const own: BatchGradients = tf.tidy(() => {
      const first = sizes[0]!;
      const shardX = first === total ? xs : xs.slice(0, first);
      const shardY = first === total ? ys : ys.slice(0, first);
      return local(shardX, shardY);
    });
    try {
      for (const { view, request } of started) await this.waitFor(view, request);
      return tf.tidy((): BatchGradients => {
        const ownShare = sizes[0]! / total;
        let value = tf.mul(own.value, ownShare) as tf.Scalar;
        const grads: tf.NamedTensorMap = {};
        let offset = 0;
        for (const variable of this.variables) {
          let sum = tf.mul(own.grads[variable.name]!, ownShare);
          for (const { view, samples } of started) {
            const theirs = tf.tensor(view.gradients.subarray(offset, offset + variable.size), variable.shape);
            sum = tf.add(sum, tf.mul(theirs, samples / total));
          }
          grads[variable.name] = sum;
          offset += variable.size;
        }
        for (const { view, samples } of started) value = tf.add(value, (view.loss[0]! * samples) / total);
        return { value, grads };
      });
    } finally {
      tf.dispose([own.value, ...Object.values(own.grads)]);
    }
  }

  /** Copies the caller's current weights to the replicas; call after each optimiser step. */
  publish(): void {
    let offset = 0;
    for (const variable of this.variables) {
      this.weights.set(variable.dataSync() as Float32Array, offset);
      offset += variable.size;
    }
    this.version++;
  }

  /**
   * Releases the workers from the round's loop. Never throws: a worker that cannot be released
   * leaves its failure on the {@link DataParallelTraining}, which refuses later rounds with it.
   */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    try {
      await Promise.all(this.views.map((view) => this.waitFor(view, this.request(view, Command.END_ROUND, 0), false)));
    } catch (err) {
      this.owner.fail(err as Error);
    } finally {
      this.owner.roundEnded();
    }
  }

  private request(view: WorkerViews, command: number, samples: number): number {
    const { control } = view;
    Atomics.store(control, Control.COMMAND, command);
    Atomics.store(control, Control.SAMPLES, samples);
    Atomics.store(control, Control.WEIGHTS_VERSION, this.version);
    const request = Atomics.add(control, Control.REQUEST, 1) + 1;
    Atomics.notify(control, Control.REQUEST);
    return request;
  }

  private async waitFor(view: WorkerViews, request: number, checkStatus = true): Promise<void> {
    const { control } = view;
    this.owner.waiters.add(control);
    try {
      for (;;) {
        const done = Atomics.load(control, Control.DONE);
        if (done === request) break;
        this.owner.throwIfUnusable();
        const wait = waitAsync(control, Control.DONE, done);
        if (wait.async) await wait.value;
      }
    } finally {
      this.owner.waiters.delete(control);
    }
    if (checkStatus && Atomics.load(control, Control.STATUS) !== StepStatus.OK) {
      // The worker posts its error text just before answering; give the message a turn to arrive.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.owner.throwIfUnusable();
      throw new TrainingError('BACKEND_UNAVAILABLE', 'a gradient worker failed a step');
    }
  }
}

/** `total` samples split into `parts` shards, sizes differing by at most one, larger first. */
export function shardSizes(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

function expectMessage(worker: Worker, type: 'ready' | 'round-ready', what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(new TrainingError('BACKEND_UNAVAILABLE', `${what} took over ${SETUP_TIMEOUT_MS / 1000} s`)), SETUP_TIMEOUT_MS);
    const onMessage = (message: WorkerMessage) => {
      if (message.type === type) settle();
      else if (message.type === 'failed') settle(new TrainingError('BACKEND_UNAVAILABLE', `${what}: ${message.message}`));
    };
    const onExit = (code: number) => settle(new TrainingError('BACKEND_UNAVAILABLE', `${what}: the thread exited (code ${code})`));
    const settle = (err?: Error) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}
