/**
 * The image-folder adapter (MedNIST layout: one sub-folder per class, PNG or JPEG files): images are
 * decoded with sharp, optionally resized, converted to grayscale or RGB and scaled to [0, 1].
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DatasetAdapter } from '../adapter';
import { ArrayDataset } from '../array-dataset';
import { DatasetError, DatasetErrorCode } from '../errors';
import { imageFolderOptionsSchema, parseOptions } from './option-schemas';

/** Options of the image-folder adapter. */
export interface ImageFolderOptions {
  /** `grayscale` (1 channel, default) or `rgb` (3 channels). */
  readonly color?: 'grayscale' | 'rgb';
  /** Resize every image to `[height, width]`; without it all images must share one size. */
  readonly size?: readonly [number, number];
  /** File extensions read, lower case. Default `.png`, `.jpg`, `.jpeg`. */
  readonly extensions?: readonly string[];
}

/** A decoded image. */
interface Decoded {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly pixels: Buffer;
}

const DECODE_CONCURRENCY = 8;

/** Lists `dir/<class>/<image>` in sorted order; classes are the sorted sub-folder names. */
async function listImages(dir: string, extensions: readonly string[]): Promise<{ classes: string[]; files: { file: string; label: number }[] }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new DatasetError(DatasetErrorCode.FILE_UNREADABLE, (error as Error).message, { file: dir }, { cause: error });
  }
  const classes = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const files: { file: string; label: number }[] = [];
  for (const [label, name] of classes.entries()) {
    const names = (await readdir(join(dir, name))).filter((f) => extensions.some((ext) => f.toLowerCase().endsWith(ext))).sort();
    for (const f of names) files.push({ file: join(dir, name, f), label });
  }
  if (files.length === 0) throw new DatasetError(DatasetErrorCode.EMPTY_DATASET, `no ${extensions.join('/')} image in a class sub-folder`, { file: dir });
  return { classes, files };
}

async function decode(file: string, options: ImageFolderOptions): Promise<Decoded> {
  try {
    let pipeline = sharp(file, { failOn: 'error' });
    if (options.size !== undefined) pipeline = pipeline.resize({ height: options.size[0], width: options.size[1], fit: 'fill' });
    pipeline = options.color === 'rgb' ? pipeline.removeAlpha().toColourspace('srgb') : pipeline.toColourspace('b-w');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return { file, width: info.width, height: info.height, pixels: data };
  } catch (error) {
    throw new DatasetError(DatasetErrorCode.IMAGE_DECODE, (error as Error).message, { image: file }, { cause: error });
  }
}

/** Decodes every image of `dir` and checks they share one size. */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ArrayDataset> {
  const { classes, files } = await listImages(dir, options.extensions ?? ['.png', '.jpg', '.jpeg']);
  const decoded: Decoded[] = [];
  for (let start = 0; start < files.length; start += DECODE_CONCURRENCY) {
    decoded.push(...(await Promise.all(files.slice(start, start + DECODE_CONCURRENCY).map((f) => decode(f.file, options)))));
  }
  const channels = options.color === 'rgb' ? 3 : 1;
  const first = decoded[0] as Decoded;
  const sampleSize = first.width * first.height * channels;
  const features = new Float32Array(decoded.length * sampleSize);
  decoded.forEach((image, i) => {
    if (image.width !== first.width || image.height !== first.height || image.pixels.length !== sampleSize) {
      throw new DatasetError(
        DatasetErrorCode.IMAGE_SIZE_MISMATCH,
        `${image.width}×${image.height} differs from ${first.width}×${first.height} of ${first.file}; pass options.size to resize`,
        { image: image.file },
      );
    }
    for (let p = 0; p < sampleSize; p++) features[i * sampleSize + p] = (image.pixels[p] ?? 0) / 255;
  });
  return new ArrayDataset({
    metadata: {
      dataType: 'images',
      featureShape: [first.height, first.width, channels],
      labelShape: [1],
      numClasses: classes.length,
      classNames: classes,
      dtypes: { features: 'float32', labels: 'int32' },
    },
    features,
    labels: Float32Array.from(files, (f) => f.label),
  });
}

/** The image-folder adapter: `{ type: 'images', path: folder, options: ImageFolderOptions }`. */
export const imageFolderAdapter: DatasetAdapter<ImageFolderOptions> = {
  kind: 'images',
  open: async (spec) => loadImageFolder(spec.path, parseOptions(imageFolderOptionsSchema, spec.options, spec.path)),
  async validate(spec) {
    return { metadata: (await loadImageFolder(spec.path, parseOptions(imageFolderOptionsSchema, spec.options, spec.path))).metadata, warnings: [] };
  },
};
