import * as tf from '@tensorflow/tfjs';

/** Sets a registered tfjs backend as the active one, or throws why it cannot start. */
export async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
}
