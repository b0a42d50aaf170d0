/**
 * The one side effect of importing `@fedbiomed/training` (listed in its package.json `sideEffects`):
 * tfjs's production mode, its public switch for console output. Without it, the first tensor of a
 * researcher's script on tfjs's cpu backend prints the "install our node backend" banner, advice
 * that cannot be followed here (tfjs-node downloads libtensorflow from outside the npm registry) and
 * that `selectBackend` answers with its reason. In tfjs 4.22 the flag gates only tfjs's own
 * `console.warn`/`console.log` calls, no computation.
 */
import * as tf from '@tensorflow/tfjs';

tf.enableProdMode();
