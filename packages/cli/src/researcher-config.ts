import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The `tls` object of an experiment file: the researcher's certificate and key, and the CA of the
 * nodes' client certificates (mutual TLS); PEM paths relative to the file.
 */
export const experimentTlsSchema = z
  .object({
    cert: z.string().min(1),
    key: z.string().min(1),
    /** CA whose client certificates nodes must present: turns on mutual TLS. */
    clientCa: z.string().min(1).optional(),
  })
  .strict();

/** Schema of the experiment file given to `fedbiomed researcher start --experiment <file>`. */
export const experimentFileSchema = z
  .object({
    /** A node takes part when one of its datasets carries every tag. */
    tags: z.array(z.string().min(1)).min(1),
    rounds: z.number().int().positive(),
    /** Folder of a tfjs model (`model.json` + weights), relative to the file. */
    model: z.string().min(1),
    plan: z
      .object({
        name: z.string().min(1),
        loss: z.enum(['binary_crossentropy', 'categorical_crossentropy', 'sparse_categorical_crossentropy', 'mse', 'mae']),
        optimizer: z.object({ name: z.enum(['sgd', 'momentum', 'adam', 'adagrad', 'rmsprop']), learningRate: z.number().positive() }).strict(),
        metrics: z.array(z.string()).default(['loss']),
      })
      .strict(),
    strategy: z.object({ name: z.string().min(1), config: z.record(z.string(), z.unknown()).default({}) }).strict().prefault({ name: 'fedavg' }),
    trainingArgs: z
      .object({
        epochs: z.number().int().min(0).optional(),
        numUpdates: z.number().int().min(0).optional(),
        batchSize: z.number().int().positive().optional(),
        testRatio: z.number().min(0).lt(1).optional(),
      })
      .strict()
      .prefault({}),
    /** Wait for this many nodes before the first round. */
    waitForNodes: z.number().int().min(1).default(1),
    minNodes: z.number().int().min(1).default(1),
    roundTimeoutMs: z.number().int().positive().default(600_000),
    seed: z.number().int().optional(),
    /** TLS of the researcher's port; `researcher start --tls-*` flags replace it. */
    tls: experimentTlsSchema.optional(),
  })
  .strict();

/** A parsed experiment file, with `model` resolved against the file's folder. */
export type ExperimentFile = z.infer<typeof experimentFileSchema>;

/** Reads and validates an experiment file; errors name the file and the field at fault. */
export function readExperimentFile(path: string): ExperimentFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read experiment file ${path}: ${(error as Error).message}`);
  }
  const parsed = experimentFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`experiment file ${path}: ${issues}`);
  }
  return { ...parsed.data, model: resolve(dirname(path), parsed.data.model), ...resolveTlsPaths(dirname(path), parsed.data.tls) };
}

/** The file's `tls` paths resolved against its folder (nothing when the file has no `tls`). */
function resolveTlsPaths(dir: string, tls: ExperimentFile['tls']): Pick<ExperimentFile, 'tls'> {
  if (tls === undefined) return {};
  return {
    tls: {
      cert: resolve(dir, tls.cert),
      key: resolve(dir, tls.key),
      ...(tls.clientCa !== undefined && { clientCa: resolve(dir, tls.clientCa) }),
    },
  };
}
