import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { NPM_PACKAGE_PATTERN, type BackendKind } from '@fedbiomed/training';
import { z } from 'zod';
import { NodeError } from './errors';

/** Backends `training.backend` may force, as `@fedbiomed/training` names them. */
const BACKEND_KINDS = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendKind[];

/** Name of the config file inside a node folder. */
export const CONFIG_FILE = 'config.json';

const tlsSchema = z
  .object({
    /** CA certificate that signed the researcher's certificate (PEM file, relative to the node folder). */
    caCert: z.string().min(1),
    /** Node certificate and key for mutual TLS; both or neither. */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** Name to check the researcher's certificate against when it differs from the address host. */
    serverName: z.string().min(1).optional(),
  })
  .strict()
  .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), {
    message: 'cert and key must be given together',
  });

/** Lower and upper bound of a feature, for differential privacy's sensitivity: values are clipped to it. */
const featureBounds = z
  .tuple([z.number().finite(), z.number().finite()])
  .refine(([lower, upper]) => lower < upper, 'lower bound must be below upper bound');
const dpBounds = z.record(z.string().min(1), featureBounds).default({});

const analyticsDpSchema = z.discriminatedUnion('mechanism', [
  z.strictObject({
    mechanism: z.literal('laplace'),
    /** Budget of one query's reply, split evenly over its statistics. */
    epsilon: z.number().positive(),
    /** Per-feature bounds; a sum, mean, variance or covariance of a feature without bounds is refused. */
    bounds: dpBounds,
  }),
  z.strictObject({
    mechanism: z.literal('gaussian'),
    /** At most 1: the classical Gaussian mechanism's calibration holds for epsilon < 1. */
    epsilon: z.number().positive().max(1),
    delta: z.number().positive().lt(1),
    bounds: dpBounds,
  }),
]);

const analyticsPolicySchema = z
  .object({
    /** Approve analytics queries on arrival (they are still checked against this policy when run). */
    autoApprove: z.boolean().default(false),
    /** Fewest rows any released count may hold (a statistic's rows, a histogram bin, a class): smaller ones refuse the query. */
    minCellCount: z.number().int().min(1).default(10),
    /** Release the smallest and largest values of features (they are single rows). */
    allowMinMax: z.boolean().default(false),
    /** Differential privacy noise on every released value; absent: none. */
    dp: analyticsDpSchema.optional(),
  })
  .strict();

/** (ε, δ) a dataset may spend in total. */
const privacyBudgetSchema = z
  .object({
    epsilon: z.number().positive(),
    delta: z.number().positive().lt(1),
  })
  .strict();

const policySchema = z
  .object({
    /** Train requests need a plan a person approved (or an allow-list auto-approved). */
    requirePlanApproval: z.boolean().default(true),
    /** Plans whose layer classes all appear here are approved on arrival; empty: never. */
    autoApproveLayers: z.array(z.string().min(1)).default([]),
    /** Datasets with fewer samples are never trained on. */
    minSamplesPerDataset: z.number().int().min(0).default(0),
    /** Dataset types that may be trained on; empty: every type. */
    allowedDatasetTypes: z.array(z.string().min(1)).default([]),
    /** Refuse train requests that do not ask for secure aggregation. */
    requireSecureAggregation: z.boolean().default(false),
    /** Plan kinds accepted. */
    allowedPlanKinds: z.array(z.string().min(1)).default(['tfjs-layers']),
    /** What federated analytics queries may release (see docs/analytics.md). */
    analytics: analyticsPolicySchema.prefault({}),
    /**
     * Differential-privacy budget of every dataset, across all experiments: the node refuses a
     * train task that runs without DP, or whose ε would take the dataset's total above `epsilon` at
     * `delta`. Absent: no budget (ε is still counted and reported for tasks that run under DP).
     */
    privacyBudget: privacyBudgetSchema.optional(),
    /** Budgets of single datasets by id, in place of `privacyBudget`. */
    privacyBudgets: z.record(z.string().min(1), privacyBudgetSchema).default({}),
    /** Compression codecs a plan may use up or down (`float16`, `qsgd`, `top_k`, `random_k`, ...); empty: every registered one. */
    allowedCompressionCodecs: z.array(z.string().min(1)).default([]),
    /** Refuse train requests whose plan sends the update uncompressed (no `compression.up`). */
    requireUpdateCompression: z.boolean().default(false),
  })
  .strict();

/** Schema of `config.json`; every field but the node id has a default. */
export const nodeConfigSchema = z
  .object({
    nodeId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, ".", "_" or "-" only'),
    nodeName: z.string().min(1).max(200),
    researcher: z
      .object({
        /** host:port of the researcher's server. */
        address: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port').default('127.0.0.1:50051'),
        tls: tlsSchema.optional(),
        /** Shared secret proving enrolment when TLS client certificates are not used. */
        enrolmentToken: z.string().default(''),
      })
      .strict()
      .prefault({}),
    policy: policySchema.prefault({}),
    /** Node-wide limits on what a researcher may ask, whatever plan was approved (see `task-limits.ts`). */
    limits: z
      .object({
        /** Most weights a plan may have, counted from its manifest; also caps each layer size in its topology. */
        maxParameters: z.number().int().positive().default(100_000_000),
        /** Most local optimiser steps one round may ask for. */
        maxNumUpdates: z.number().int().positive().default(100_000),
        /** Most local epochs one round may ask for. */
        maxEpochs: z.number().int().positive().default(1_000),
        /** Smallest batch a round may ask for: one sample's update is that sample's gradient. */
        minBatchSize: z.number().int().positive().default(4),
      })
      .strict()
      .prefault({}),
    training: z
      .object({
        /** Prefer a GPU backend when one is installed. */
        useGpu: z.boolean().default(false),
        /** Force a backend; empty: the fastest available (see `@fedbiomed/training`'s `selectBackend`). */
        backend: z.enum(['', ...BACKEND_KINDS]).default(''),
        /**
         * Threads a training round may use. Above 1, on the wasm backend (one thread in Node), worker
         * threads share each batch (data parallelism); other backends manage their own threads.
         */
        threads: z.coerce.number().int().min(1).max(64).default(1),
      })
      .strict()
      .prefault({}),
    /**
     * npm packages of plug-ins (losses, metrics, layers) to load at start, installed in the node
     * folder's node_modules or beside `@fedbiomed/node`; plans name their items `package@version/name`.
     */
    plugins: z.array(z.string().regex(NPM_PACKAGE_PATTERN, 'expected an npm package name')).default([]),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .strict();

/** A node's configuration once validated and with defaults filled in. */
export type NodeConfig = z.infer<typeof nodeConfigSchema>;
/** What a config file may contain: every defaulted field may be left out. */
export type NodeConfigInput = z.input<typeof nodeConfigSchema>;
/** The node's policy knobs. */
export type NodePolicy = NodeConfig['policy'];
/** The node's analytics policy. */
export type AnalyticsPolicy = NodePolicy['analytics'];
/** Differential privacy of analytics replies. */
export type AnalyticsDp = NonNullable<AnalyticsPolicy['dp']>;
/** A dataset's differential-privacy budget, see `policy.privacyBudget`. */
export type PrivacyBudget = z.infer<typeof privacyBudgetSchema>;

/** Environment variables that override the config file, and the field each one sets. */
export const CONFIG_ENV_OVERRIDES = {
  FEDBIOMED_NODE_ID: 'nodeId',
  FEDBIOMED_NODE_NAME: 'nodeName',
  FEDBIOMED_RESEARCHER_ADDRESS: 'researcher.address',
  FEDBIOMED_ENROLMENT_TOKEN: 'researcher.enrolmentToken',
  FEDBIOMED_NODE_BACKEND: 'training.backend',
  FEDBIOMED_NODE_TRAINING_THREADS: 'training.threads',
  FEDBIOMED_LOG_LEVEL: 'logLevel',
} as const;

/**
 * Validates a config object, filling in defaults; the error lists every field at fault.
 *
 * @param source - where the object came from, named in the error
 */
export function parseNodeConfig(input: unknown, source = 'config'): NodeConfig {
  const parsed = nodeConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new NodeError('INVALID_CONFIG', `invalid ${source}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Returns a copy of `input` with the {@link CONFIG_ENV_OVERRIDES} found in `env` applied. */
export function applyEnvOverrides(input: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(input);
  for (const [variable, field] of Object.entries(CONFIG_ENV_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    const path = field.split('.');
    let target = out;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      target[key] = typeof next === 'object' && next !== null ? next : {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1] as string] = value;
  }
  return out;
}

/**
 * Reads `config.json` of a node folder, applies environment overrides and validates it.
 *
 * @throws NodeError NOT_INITIALISED when the folder has no config, INVALID_CONFIG when it is malformed
 */
export function loadNodeConfig(dir: string, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const file = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new NodeError('NOT_INITIALISED', `no node at ${dir}: ${file} is missing; run \`fedbiomed node --path ${dir} init\``);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new NodeError('INVALID_CONFIG', `invalid ${file}: not JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new NodeError('INVALID_CONFIG', `invalid ${file}: expected a JSON object`);
  }
  return parseNodeConfig(applyEnvOverrides(raw as Record<string, unknown>, env), file);
}

/** Resolves a path of the config (certificates) against the node folder. */
export function resolveInNodeDir(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, path);
}
