/**
 * Recipe for the MNIST test set in IDX form (10,000 images of 28×28, labels 0-9).
 */
import type { ArrayDataset } from '../array-dataset';
import { loadMnist } from '../adapters/mnist-adapter';

/** Opens `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz` of `dir` (e.g. the shared `mnist` folder). */
export function openMnistTest(options: { readonly dir: string }): Promise<ArrayDataset> {
  return loadMnist(options.dir, { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' });
}
