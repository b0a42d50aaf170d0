/**
 * Entry of a gradient worker thread (see {@link DataParallelTraining}): its own tfjs with the wasm
 * backend and this package's kernels, a replica of the round's model, and a loop that computes the
 * gradients of the shard the training thread writes into shared memory. It sends nothing but
 * gradients and a loss back, and holds no data between steps.
 */
import { parentPort } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';

import { activateWasm } from '../backends/wasm-backend';
import type { ResolvedLoss } from '../losses/loss-definition';
import { resolveLoss } from '../losses/loss-registry';
import { planToModel } from '../plan/plan-model';
import { Command, Control, StepStatus, workerViews, type RoundMessage, type WorkerMessage } from './shared-layout';

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

/** Serves the steps of one round, synchronously, until the training thread ends the round. */
async function serveRound(message: RoundMessage): Promise<void> {
  const views = workerViews(message.buffer, message.shape);
  const weights = new Float32Array(message.weights);
  const model = await planToModel(message.plan);
  const lossFn = resolveLoss(message.plan.loss).fn;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { control } = views;
  let handled = Atomics.load(control, Control.REQUEST);
  let loadedVersion = -1;
  post({ type: 'round-ready' });
  try {
    for (;;) {
      Atomics.wait(control, Control.REQUEST, handled);
      handled = Atomics.load(control, Control.REQUEST);
      if (Atomics.load(control, Control.COMMAND) === Command.END_ROUND) {
        Atomics.store(control, Control.DONE, handled);
        Atomics.notify(control, Control.DONE);
        return;
      }
      try {
        const version = Atomics.load(control, Control.WEIGHTS_VERSION);
        if (version !== loadedVersion) {
          let offset = 0;
          for (const variable of variables) {
            tf.tidy(() => variable.assign(tf.tensor(weights.subarray(offset, offset + variable.size), variable.shape)));
            offset += variable.size;
          }
          loadedVersion = version;
        }
        step(views, Atomics.load(control, Control.SAMPLES), message, variables, model, lossFn);
        Atomics.store(control, Control.STATUS, StepStatus.OK);
      } catch (err) {
        Atomics.store(control, Control.STATUS, StepStatus.FAILED);
        post({ type: 'failed', message: (err as Error).message });
      }
      Atomics.store(control, Control.DONE, handled);
      Atomics.notify(control, Control.DONE);
    }
  } finally {
    model.dispose();
  }
}

function step(
  views: ReturnType<typeof workerViews>,
  samples: number,
  message: RoundMessage,
  variables: tf.Variable[],
  model: tf.LayersModel,
  lossFn: ResolvedLoss['fn'],
): void {
  const { featureWidth, labelWidth } = message.shape;
  tf.tidy(() => {
    const xs = tf.tensor(views.features.subarray(0, samples * featureWidth), [samples, ...message.featureShape]);
    const ys = tf.tensor(views.labels.subarray(0, samples * labelWidth), [samples, ...message.labelShape]);
    const { value, grads } = tf.variableGrads(() => lossFn(ys, model.apply(xs, { training: true }) as tf.Tensor), variables);
    let offset = 0;
    for (const variable of variables) {
      views.gradients.set(grads[variable.name]!.dataSync() as Float32Array, offset);
      offset += variable.size;
    }
    views.loss[0] = value.dataSync()[0]!;
  });
}

async function main(): Promise<void> {
  const backend = await activateWasm();
  post({ type: 'ready', backend });
  let rounds = Promise.resolve();
  parentPort!.on('message', (message: RoundMessage) => {
    rounds = rounds
      .then(() => serveRound(message))
      .catch((err: Error) => post({ type: 'failed', message: err.message }));
  });
}

main().catch((err: Error) => post({ type: 'failed', message: `the wasm backend did not start: ${err.message}` }));
