/**
 * The image-folder adapter (MedNIST layout: one sub-folder per class, PNG or JPEG files): images are
 * decoded with sharp, optionally resized, converted to grayscale or RGB and scaled to [0, 1].
 */
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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
  /**
   * A folder of masks (segmentation targets): the images are the files of the image folder itself
   * (no class sub-folders) and each has a mask of the same file name in this folder, relative to
   * the image folder's parent (`masks` beside `images`). A mask pixel above half intensity is 1,
   * else 0; labels are `[height, width, 1]`.
   */
  readonly masks?: string;
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

/** Lists the images directly in `dir`, in sorted order, each with its mask in `masksDir`. */
async function listSegmentation(dir: string, masksDir: string, extensions: readonly string[]): Promise<{ image: string; mask: string }[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && extensions.some((ext) => e.name.toLowerCase().endsWith(ext))).map((e) => e.name);
  } catch (error) {
    throw new DatasetError(DatasetErrorCode.FILE_UNREADABLE, (error as Error).message, { file: dir }, { cause: error });
  }
  if (names.length === 0) throw new DatasetError(DatasetErrorCode.EMPTY_DATASET, `no ${extensions.join('/')} image in the folder`, { file: dir });
  const masks = new Set(await readdir(masksDir).catch((error: Error) => {
    throw new DatasetError(DatasetErrorCode.FILE_UNREADABLE, `mask folder: ${error.message}`, { file: masksDir }, { cause: error });
  }));
  return names.sort().map((name) => {
    if (!masks.has(name)) throw new DatasetError(DatasetErrorCode.INCONSISTENT, `no mask ${join(masksDir, name)} for this image`, { image: join(dir, name) });
    return { image: join(dir, name), mask: join(masksDir, name) };
  });
}

async function decode(file: string, options: ImageFolderOptions, kind: 'image' | 'mask' = 'image'): Promise<Decoded> {
  try {
    let pipeline = sharp(file, { failOn: 'error' });
    // A mask keeps its labels under resizing: nearest neighbour, never a blend of 0 and 1.
    if (options.size !== undefined) pipeline = pipeline.resize({ height: options.size[0], width: options.size[1], fit: 'fill', ...(kind === 'mask' && { kernel: 'nearest' }) });
    pipeline = options.color === 'rgb' && kind === 'image' ? pipeline.removeAlpha().toColourspace('srgb') : pipeline.toColourspace('b-w');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return { file, width: info.width, height: info.height, pixels: data };
  } catch (error) {
    throw new DatasetError(DatasetErrorCode.IMAGE_DECODE, (error as Error).message, { image: file }, { cause: error });
  }
}

/** Decodes `files` a few at a time. */
async function decodeAll(files: readonly string[], options: ImageFolderOptions, kind: 'image' | 'mask'): Promise<Decoded[]> {
  const decoded: Decoded[] = [];
  for (let start = 0; start < files.length; start += DECODE_CONCURRENCY) {
    decoded.push(...(await Promise.all(files.slice(start, start + DECODE_CONCURRENCY).map((f) => decode(f, options, kind)))));
  }
  return decoded;
}

/** Pixels of same-sized images as one flat array, `scale` applied to each byte; a size that differs from the first is refused. */
function stack(decoded: readonly Decoded[], channels: number, scale: (byte: number) => number, reference: Decoded = decoded[0] as Decoded): Float32Array {
  const sampleSize = reference.width * reference.height * channels;
  const values = new Float32Array(decoded.length * sampleSize);
  decoded.forEach((image, i) => {
    if (image.width !== reference.width || image.height !== reference.height || image.pixels.length !== sampleSize) {
      throw new DatasetError(
        DatasetErrorCode.IMAGE_SIZE_MISMATCH,
        `${image.width}×${image.height} differs from ${reference.width}×${reference.height} of ${reference.file}; pass options.size to resize`,
        { image: image.file },
      );
    }
    for (let p = 0; p < sampleSize; p++) values[i * sampleSize + p] = scale(image.pixels[p] ?? 0);
  });
  return values;
}

const toUnit = (byte: number): number => byte / 255;

/** Decodes every image of `dir` and checks they share one size; with `masks`, each image's mask is its target. */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ArrayDataset> {
  const extensions = options.extensions ?? ['.png', '.jpg', '.jpeg'];
  const channels = options.color === 'rgb' ? 3 : 1;
  if (options.masks !== undefined) return loadSegmentation(dir, resolve(dirname(resolve(dir)), options.masks), extensions, channels, options);
  const { classes, files } = await listImages(dir, extensions);
  const decoded = await decodeAll(files.map((f) => f.file), options, 'image');
  const first = decoded[0] as Decoded;
  return new ArrayDataset({
    metadata: {
      dataType: 'images',
      featureShape: [first.height, first.width, channels],
      labelShape: [1],
      numClasses: classes.length,
      classNames: classes,
      dtypes: { features: 'float32', labels: 'int32' },
    },
    features: stack(decoded, channels, toUnit),
    labels: Float32Array.from(files, (f) => f.label),
  });
}

async function loadSegmentation(dir: string, masksDir: string, extensions: readonly string[], channels: number, options: ImageFolderOptions): Promise<ArrayDataset> {
  const pairs = await listSegmentation(dir, masksDir, extensions);
  const images = await decodeAll(pairs.map((p) => p.image), options, 'image');
  const masks = await decodeAll(pairs.map((p) => p.mask), options, 'mask');
  const first = images[0] as Decoded;
  const labelShape = [first.height, first.width, 1];
  return new ArrayDataset({
    metadata: {
      dataType: 'images',
      featureShape: [first.height, first.width, channels],
      labelShape,
      numClasses: 0,
      dtypes: { features: 'float32', labels: 'float32' },
      target: { kind: 'mask', shape: labelShape },
    },
    features: stack(images, channels, toUnit),
    labels: stack(masks, 1, (byte) => (byte > 127 ? 1 : 0), first),
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
