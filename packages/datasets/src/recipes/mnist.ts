/**
 * Recipes for MNIST in IDX form: the test set (10,000 images of 28×28, labels 0-9) and the training
 * set (60,000 images).
 */
import type { ArrayDataset } from '../array-dataset';
import { loadMnist } from '../adapters/mnist-adapter';

/** Opens `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz` of `dir` (e.g. the bundled `mnist` folder). */
export function openMnistTest(options: { readonly dir: string }): Promise<ArrayDataset> {
  return loadMnist(options.dir, { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' });
}

/** Opens `train-images-idx3-ubyte.gz` and `train-labels-idx1-ubyte.gz` of `dir`: the 60,000 training images. */
export function openMnistTrain(options: { readonly dir: string }): Promise<ArrayDataset> {
  return loadMnist(options.dir, { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' });
}
