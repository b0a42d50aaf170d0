import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkSchedule, type LearningRateSchedule } from '@fedbiomed/researcher';
import { lossRefSchema, metricNameSchema, OPTIMIZER_NAMES, trainingLimitsSchema } from '@fedbiomed/training';
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

const positiveMs = z.number().int().positive();
const optimizer = z.strictObject({
  name: z.enum(OPTIMIZER_NAMES),
  learningRate: z.number().positive(),
  /** Optimiser arguments: `momentum`, `beta1`, `beta2`, `epsilon`, `rho`, `decay`, `initialAccumulatorValue`. */
  params: z.record(z.string(), z.number()).optional(),
});

/** A `learningRateSchedule` (`step`, `exponential`, `cosine`), checked by the researcher SDK. */
const learningRateSchedule = z.unknown().transform((value, ctx): LearningRateSchedule => {
  try {
    return checkSchedule(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** The training arguments sent to nodes every round: every field of the contract's `TrainingArgs`. */
const trainingArgsSchema = z.strictObject({
  epochs: z.number().int().min(0).optional(),
  numUpdates: z.number().int().min(0).optional(),
  batchSize: z.number().int().positive().optional(),
  batchMaxnum: z.number().int().min(0).optional(),
  /**
   * The learning rate of the rounds (without `name`), or another optimiser: each within the plan's
   * `limits` (`learningRate` range, `allowOptimizerOverride`), or the nodes refuse the rounds.
   */
  optimizer: optimizer.extend({ name: z.enum(OPTIMIZER_NAMES).optional(), learningRate: z.number().positive().optional() }).optional(),
  fedproxMu: z.number().min(0).optional(),
  testRatio: z.number().min(0).lt(1).optional(),
  testOnLocalUpdates: z.boolean().optional(),
  testOnGlobalUpdates: z.boolean().optional(),
  /** Metrics the nodes compute on their test split (default: the plan's `metrics`). */
  metrics: z.array(metricNameSchema).optional(),
  dp: z
    .strictObject({
      enabled: z.boolean(),
      clipNorm: z.number().positive(),
      noiseMultiplier: z.number().min(0),
      /** `update` (default): the whole update clipped and noised once; `sample`: DP-SGD, per-example clipping. */
      mode: z.enum(['update', 'sample']).optional(),
      /** δ at which ε is reported by nodes without a privacy budget and for server-side DP (default 1e-5). */
      delta: z.number().gt(0).lt(1).optional(),
    })
    .optional(),
  /** Seed of the nodes' shuffling (default: the experiment's `seed`). */
  randomSeed: z.number().int().min(0).optional(),
  useGpu: z.boolean().optional(),
  logInterval: z.number().int().min(0).optional(),
  secureAggregation: z.boolean().optional(),
});

/** Schema of the experiment file given to `fedbiomed researcher start --experiment <file>`. */
export const experimentFileSchema = z.strictObject({
  /** Shown to node operators with the approval request. */
  description: z.string().default(''),
  /** A node takes part when one of its datasets carries every tag. */
  tags: z.array(z.string().min(1)).min(1),
  rounds: z.number().int().positive(),
  /** Folder of a tfjs model (`model.json` + weights), relative to the file. */
  model: z.string().min(1),
  plan: z.strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    loss: lossRefSchema,
    optimizer,
    metrics: z.array(metricNameSchema).default(['loss']),
    /** Steps each node applies to its data first, e.g. `[{ "name": "standardize" }]`. */
    preprocessing: z.array(z.strictObject({ name: z.string().min(1), params: z.record(z.string(), z.json()).default({}) })).default([]),
    /** What each round's training arguments may ask for, approved with the plan (`@fedbiomed/training`'s `TrainingLimits`). */
    limits: trainingLimitsSchema.optional(),
  }),
  strategy: z.strictObject({ name: z.string().min(1), config: z.record(z.string(), z.unknown()).default({}) }).prefault({ name: 'fedavg' }),
  trainingArgs: trainingArgsSchema.prefault({}),
  /** The learning rate of each round, e.g. `{ "kind": "step", "every": 5, "factor": 0.5 }`; saved in breakpoints. */
  learningRateSchedule: learningRateSchedule.optional(),
  /** Only these node ids take part (default: every connected node with a matching dataset). */
  nodes: z.array(z.string().min(1)).min(1).optional(),
  /** Each round trains a seeded random fraction of the candidates, never fewer than `minNodes` (default: all). */
  fraction: z.number().gt(0).max(1).optional(),
  /** A round succeeds, and training starts, once this many nodes reply / approved the plan. */
  minNodes: z.number().int().min(1).default(1),
  /** Wait for this many nodes to connect before asking for approval. */
  waitForNodes: z.number().int().min(1).default(1),
  /** Give up waiting for nodes after this long (default: wait until interrupted). */
  waitForNodesTimeoutMs: positiveMs.optional(),
  roundTimeoutMs: positiveMs.default(600_000),
  /** How long discovery and approval requests wait for each node's answer. */
  requestTimeoutMs: positiveMs.default(10_000),
  /** How long to wait for node operators to approve the plan (`--approval-timeout` overrides it). */
  approvalTimeoutMs: positiveMs.default(600_000),
  /** How often to ask the nodes whether their operator decided. */
  approvalPollIntervalMs: positiveMs.default(2_000),
  seed: z.number().int().optional(),
  /** TLS of the researcher's port; `researcher start --tls-*` flags replace it. */
  tls: experimentTlsSchema.optional(),
});

/** A parsed experiment file, with `model` resolved against the file's folder. */
export type ExperimentFile = z.infer<typeof experimentFileSchema>;

/** Reads and validates an experiment file; errors name the file and, in words, each option at fault. */
export function readExperimentFile(path: string): ExperimentFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read experiment file ${path}: ${(error as Error).message}`);
  }
  const parsed = experimentFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`experiment file ${path}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
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

/** One zod issue in words: "option `plan.loss` is missing", "unknown option `foo`", "option `rounds`: ...". */
function describeIssue(issue: z.core.$ZodIssue): string {
  const name = (path: readonly PropertyKey[]): string => path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `unknown option \`${name([...issue.path, key])}\``).join('; ');
  if (issue.path.length === 0) return `the file must hold a JSON object (${issue.message})`;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `option \`${name(issue.path)}\` is missing`;
  return `option \`${name(issue.path)}\`: ${issue.message}`;
}
