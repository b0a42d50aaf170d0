import * as tf from '@tensorflow/tfjs';

/**
 * Multiplies each feature by a trainable weight (`<name>/scale`, starting at 1): a learned
 * per-feature gate before the model's first dense layer. A tfjs layer class, so a plan's topology
 * names it `FeatureScale` and nodes build it once the plug-in is loaded.
 */
export class FeatureScale extends tf.layers.Layer {
  static className = 'FeatureScale';
  private scale: tf.LayerVariable | undefined;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[shape.length - 1];
    if (typeof features !== 'number') throw new Error(`FeatureScale needs a fixed last dimension, got [${shape.join(', ')}]`);
    this.scale = this.addWeight('scale', [features], 'float32', tf.initializers.ones());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, this.scale!.read()));
  }
}

/** A {@link FeatureScale} layer, as `tf.layers.dense` makes a Dense one. */
export function featureScale(args: ConstructorParameters<typeof tf.layers.Layer>[0] = {}): FeatureScale {
  return new FeatureScale(args);
}
