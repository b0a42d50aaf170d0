/**
 * The MNIST IDX adapter: an images file (magic 0x803) and a labels file (magic 0x801), raw or
 * gzipped, become 28×28×1 images scaled to [0, 1] with labels 0-9.
 */
import { join } from 'node:path';
import type { DatasetAdapter } from '../adapter';
import { ArrayDataset } from '../array-dataset';
import { DatasetError, DatasetErrorCode } from '../errors';
import { readMaybeGzipped } from './binary-file';
import { mnistOptionsSchema, parseOptions } from './option-schemas';

/** Options of the MNIST adapter; file names are relative to the spec's folder. */
export interface MnistOptions {
  /** Default `t10k-images-idx3-ubyte.gz`. */
  readonly images?: string;
  /** Default `t10k-labels-idx1-ubyte.gz`. */
  readonly labels?: string;
}

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/** Reads an IDX image/label pair from `dir`. */
export async function loadMnist(dir: string, options: MnistOptions = {}): Promise<ArrayDataset> {
  const imagesFile = join(dir, options.images ?? 't10k-images-idx3-ubyte.gz');
  const labelsFile = join(dir, options.labels ?? 't10k-labels-idx1-ubyte.gz');
  const images = await readMaybeGzipped(imagesFile);
  const labels = await readMaybeGzipped(labelsFile);
  const [count = 0, rows = 0, cols = 0] = idxHeader(images, imagesFile, IMAGES_MAGIC, 3);
  const [labelCount = 0] = idxHeader(labels, labelsFile, LABELS_MAGIC, 1);
  if (count !== labelCount) {
    throw new DatasetError(DatasetErrorCode.INCONSISTENT, `${count} images but ${labelCount} labels in ${labelsFile}`, { file: imagesFile });
  }
  const pixels = count * rows * cols;
  const x = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) x[i] = (images[16 + i] ?? 0) / 255;
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels[8 + i] ?? 0;
    if (label > 9) throw new DatasetError(DatasetErrorCode.IDX_FORMAT, `label ${label} is not a digit`, { file: labelsFile, row: i + 1 });
    y[i] = label;
  }
  return new ArrayDataset({
    metadata: {
      dataType: 'mnist',
      featureShape: [rows, cols, 1],
      labelShape: [1],
      numClasses: 10,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      dtypes: { features: 'float32', labels: 'int32' },
    },
    features: x,
    labels: y,
  });
}

/** Checks magic and length; returns the dimension sizes. */
function idxHeader(bytes: Buffer, file: string, magic: number, dims: number): number[] {
  const headerLength = 4 + 4 * dims;
  if (bytes.length < headerLength) throw new DatasetError(DatasetErrorCode.IDX_FORMAT, `${bytes.length} bytes is shorter than an IDX header`, { file });
  const found = bytes.readUInt32BE(0);
  if (found !== magic) {
    throw new DatasetError(DatasetErrorCode.IDX_FORMAT, `magic 0x${found.toString(16).padStart(8, '0')} where 0x${magic.toString(16).padStart(8, '0')} was expected`, { file });
  }
  const sizes = Array.from({ length: dims }, (_, d) => bytes.readUInt32BE(4 + 4 * d));
  const expected = headerLength + sizes.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    throw new DatasetError(DatasetErrorCode.IDX_FORMAT, `${bytes.length} bytes where the header [${sizes.join(', ')}] needs ${expected}`, { file });
  }
  return sizes;
}

/** The MNIST adapter: `{ type: 'mnist', path: folder, options: MnistOptions }`. */
export const mnistAdapter: DatasetAdapter<MnistOptions> = {
  kind: 'mnist',
  open: async (spec) => loadMnist(spec.path, parseOptions(mnistOptionsSchema, spec.options, spec.path)),
  async validate(spec) {
    return { metadata: (await loadMnist(spec.path, parseOptions(mnistOptionsSchema, spec.options, spec.path))).metadata, warnings: [] };
  },
};
