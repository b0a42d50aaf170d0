/**
 * Schemas of the built-in adapters' options. A node stores dataset specs as JSON, so options reaching
 * an adapter through the registry are checked here before any file is touched.
 */
import { z } from 'zod';
import { DatasetError, DatasetErrorCode } from '../errors';
import { describeZodIssues } from '../zod-issues';
import type { MissingPolicy } from './missing-values';

const columnRef = z.union([z.string().min(1), z.number().int()]);
const columnType = z.enum(['number', 'category']);
const missingLabel = z.enum(['refuse', 'drop']);
const partNames = { train: z.string().min(1).optional(), test: z.string().min(1).optional() };
const size = z.tuple([z.number().int().positive(), z.number().int().positive()]);

/** Options of the `csv` adapter (see `CsvOptions`). */
export const csvOptionsSchema = z.strictObject({
  delimiter: z.string().min(1).optional(),
  header: z.boolean().optional(),
  skipLines: z.number().int().nonnegative().optional(),
  label: z.union([columnRef, z.array(columnRef).min(1)]).optional(),
  survival: z.strictObject({ time: columnRef, event: columnRef }).optional(),
  split: z
    .union([
      z.strictObject({ column: columnRef, ...partNames }),
      z.strictObject({ file: z.string().min(1), idColumn: columnRef, splitColumn: columnRef.optional(), ...partNames }),
    ])
    .optional(),
  features: z.array(columnRef).min(1).optional(),
  task: z.enum(['classification', 'regression']).optional(),
  columnTypes: z.record(z.string(), columnType).optional(),
  missingTokens: z.array(z.string()).optional(),
  missing: z
    .union([
      z.enum(['refuse', 'drop']),
      z
        .strictObject({ impute: z.enum(['mean', 'median', 'constant']), value: z.union([z.number(), z.string()]).optional(), missingLabel: missingLabel.optional() })
        .refine((o) => (o.impute === 'constant') === (o.value !== undefined), { message: '"value" goes with "impute": "constant", and only with it', path: ['value'] })
        // One object rather than a union per strategy, so that a wrong strategy gets one clear sentence; the refine makes it a MissingPolicy.
        .transform((o) => o as Exclude<MissingPolicy, string>),
    ])
    .optional(),
  oneHotDropFirst: z.boolean().optional(),
  categories: z.record(z.string(), z.array(z.string())).optional(),
});

/** Options of the `images` adapter (see `ImageFolderOptions`). */
export const imageFolderOptionsSchema = z.strictObject({
  color: z.enum(['grayscale', 'rgb']).optional(),
  size: size.optional(),
  extensions: z.array(z.string().startsWith('.')).min(1).optional(),
  masks: z.string().min(1).optional(),
});

/** Options of the `mnist` adapter (see `MnistOptions`). */
export const mnistOptionsSchema = z.strictObject({ images: z.string().min(1).optional(), labels: z.string().min(1).optional() });

/** Options of the `medical-folder` adapter (see `MedicalFolderOptions`). */
export const medicalFolderOptionsSchema = z.strictObject({
  modalities: z.array(z.string().min(1)).min(1),
  demographics: z.strictObject({
    file: z.string().min(1),
    subjectColumn: columnRef.optional(),
    delimiter: z.string().min(1).optional(),
    columns: z.array(columnRef).optional(),
  }),
  label: z.union([z.strictObject({ column: columnRef, task: z.enum(['classification', 'regression']).optional() }), z.strictObject({ modality: z.string().min(1) })]),
});

/**
 * Parses `options` with `schema`, or throws INVALID_OPTION naming the spec's path and, in words, each
 * option at fault, what it expects and what was given.
 */
export function parseOptions<T>(schema: z.ZodType<T>, options: unknown, file: string): T {
  const input = options ?? {};
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new DatasetError(DatasetErrorCode.INVALID_OPTION, describeZodIssues(result.error.issues, input, { subject: 'option', schema }).join('; '), { file });
}
