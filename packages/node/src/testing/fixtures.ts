/**
 * Test support only (not exported, not shipped): plans built with `@fedbiomed/training`, data
 * written into temporary folders, a spawned CLI.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { Request } from '@fedbiomed/proto';
import { buildPlan, type BuiltPlan, type PlanConfig, type TrainingLimits } from '@fedbiomed/training';
import { float32Tensor, packTensors, ResearcherServer, TransportError, type NodeReply, type TensorPayload } from '@fedbiomed/transport';
import { bundledDataset, makeTempDir, WORKSPACE_ROOT, type TempDir } from '@fedbiomed/test-utils';
import { createNode, type Node } from '../node';
import { initNodeFolder } from '../node-folder';
import { startNode, type RunningNode } from '../node-runtime';

/** The built CLI (`npx tsc -b packages/cli` first). */
export const CLI = join(WORKSPACE_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** A transport logger that drops everything, for servers and clients the tests start. */
export const SILENT_LOGGER = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A logistic regression plan on `features` inputs, standardised with each node's own statistics
 * (`'local'`, so a bare train request runs) or with federated ones the request must carry, with
 * `limits` on the training arguments when given.
 */
export function logisticPlan(
  features: number,
  name = 'logistic regression',
  optimizer: PlanConfig['optimizer'] = { name: 'sgd', learningRate: 0.1 },
  statistics: 'local' | 'federated' = 'local',
  limits?: TrainingLimits,
): BuiltPlan {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [features], units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' })],
  });
  try {
    return buildPlan(model, {
      name,
      loss: 'binary_crossentropy',
      optimizer,
      metrics: ['loss', 'accuracy'],
      preprocessing: [{ name: 'standardize', params: { statistics } }],
      ...(limits !== undefined && { limits }),
    });
  } finally {
    model.dispose();
  }
}

/** A small MLP plan (Dense + Dropout), to test allow-lists. */
export function mlpPlan(features: number): BuiltPlan {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [features], units: 4, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.1 }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  try {
    return buildPlan(model, { name: 'mlp', loss: 'binary_crossentropy', optimizer: { name: 'adam', learningRate: 0.01 } });
  } finally {
    model.dispose();
  }
}

/** WDBC rows (without scikit-learn's metadata line) as text lines. */
export function wdbcLines(): string[] {
  return readFileSync(bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'), 'utf8').trim().split('\n').slice(1);
}

/** Writes WDBC split into `parts` headerless CSV files (every `parts`-th row) and returns their paths. */
export function writeWdbcSlices(dir: string, parts: number): string[] {
  const lines = wdbcLines();
  return Array.from({ length: parts }, (_, part) => {
    const file = join(dir, `wdbc-${part}.csv`);
    writeFileSync(file, `${lines.filter((_, i) => i % parts === part).join('\n')}\n`);
    return file;
  });
}

/** CSV adapter options for a headerless WDBC slice. */
export const WDBC_CSV_OPTIONS = { header: false, label: 30, task: 'classification' };

/** Writes a minimal gzipped NIfTI-1 float32 volume (348-byte header, 4-byte extension flag, voxels, x fastest). */
export function writeNiftiVolume(file: string, dims: readonly number[], voxels: readonly number[]): void {
  const header = new DataView(new ArrayBuffer(352));
  header.setInt32(0, 348, true);
  header.setInt16(40, dims.length, true);
  for (let i = 0; i < 7; i++) header.setInt16(42 + 2 * i, dims[i] ?? 1, true);
  header.setInt16(70, 16, true);
  header.setInt16(72, 32, true);
  for (let i = 0; i < 8; i++) header.setFloat32(76 + 4 * i, 1, true);
  header.setFloat32(108, 352, true);
  header.setFloat32(112, 1, true);
  [0x6e, 0x2b, 0x31, 0].forEach((byte, i) => header.setUint8(344 + i, byte));
  const body = Buffer.from(Float32Array.from(voxels).buffer);
  writeFileSync(file, gzipSync(Buffer.concat([Buffer.from(header.buffer), body])));
}

/** A BIDS-like folder of `subjects` subjects, one 4×4×2 T1 volume each, with a demographics CSV. */
export function writeMedicalFolder(dir: string, subjects = 6): { options: Record<string, unknown> } {
  const rows = ['participant_id,age,diagnosis'];
  for (let s = 0; s < subjects; s++) {
    const id = `sub-${String(s + 1).padStart(2, '0')}`;
    mkdirSync(join(dir, id), { recursive: true });
    writeNiftiVolume(join(dir, id, 'T1.nii.gz'), [4, 4, 2], Array.from({ length: 32 }, (_, i) => s + i / 32));
    rows.push(`${id},${60 + s},${s % 2 === 0 ? 'AD' : 'CN'}`);
  }
  writeFileSync(join(dir, 'participants.csv'), `${rows.join('\n')}\n`);
  return {
    options: { modalities: ['T1'], demographics: { file: 'participants.csv', subjectColumn: 'participant_id' }, label: { column: 'diagnosis' } },
  };
}

/** Extracts the shared MedNIST sample into `dir` (never beside the archive) and returns its image folder. */
export function extractMedNist(dir: string): string {
  execFileSync('tar', ['-xzf', bundledDataset('fedbiomed_mednist_test', 'MedNIST_test.tar.gz'), '-C', dir]);
  return join(dir, 'MedNIST');
}

/** Result of one CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `fedbiomed node --path <dir> ...args` and resolves when it exits. */
export function runNodeCli(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnNodeCli(dir, args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Spawns `fedbiomed node --path <dir> ...args` with stdin closed (not a terminal). */
export function spawnNodeCli(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI, 'node', '--path', dir, ...args], {
    env: { ...process.env, FEDBIOMED_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A train request for `plan` on `datasetId` from flat `weights` (global weights in the plan's order), with its tensor payload. */
export function trainRequest(
  built: BuiltPlan,
  datasetId: string,
  options: { round?: number; experimentId?: string; weights?: readonly Float32Array[]; args?: Record<string, unknown> } = {},
): { request: Request; payload: TensorPayload } {
  const payload = packTensors(
    built.initialWeights.map((w, i) => float32Tensor(w.name, w.shape, options.weights?.[i] ?? w.values)),
  );
  return {
    payload,
    request: {
      experimentId: options.experimentId ?? 'exp-1',
      train: {
        round: options.round ?? 1,
        datasetId,
        plan: built.plan,
        globalWeights: payload.set,
        args: { epochs: 1, batchSize: 16, testRatio: 0.2, randomSeed: 7, testOnGlobalUpdates: true, testOnLocalUpdates: true, metrics: ['loss', 'accuracy'], ...options.args },
        strategyName: 'FedAvg',
      },
    },
  };
}

/** Resolves once `nodeId` has a session open on `researcher` (at once if it has one already). */
export function waitOnline(researcher: ResearcherServer, nodeId: string): Promise<void> {
  return new Promise((resolve) => {
    if (researcher.nodes().some((n) => n.id === nodeId && n.state === 'online')) return resolve();
    const off = researcher.on('nodeOnline', (info) => {
      if (info.id !== nodeId) return;
      off();
      resolve();
    });
  });
}

/** The error a request failed with; fails the test when the request succeeded or failed otherwise. */
export async function remoteError(promise: Promise<NodeReply>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

/** A researcher server and one in-process node folder dialling it on loopback; `start` runs the node. */
export interface LoopbackNode {
  readonly tmp: TempDir;
  readonly server: ResearcherServer;
  readonly node: Node;
  start(): Promise<void>;
  /** Stops the node and the server, closes the registry and removes the folder. */
  stop(): Promise<void>;
}

/** Creates a {@link LoopbackNode} with node id `nodeId` and a silent log. */
export async function loopbackNode(nodeId: string, token = 'enrol-secret'): Promise<LoopbackNode> {
  const tmp = makeTempDir('fedbiomed-node-loopback-');
  const server = new ResearcherServer({ enrolmentTokens: [token], logger: SILENT_LOGGER, researcherId: 'researcher-1' });
  const port = await server.start();
  const dir = join(tmp.path, 'node');
  const config = initNodeFolder(dir, { nodeId, nodeName: nodeId, researcher: { address: `127.0.0.1:${port}`, enrolmentToken: token }, logLevel: 'silent' });
  const node = createNode({ dir, config });
  let running: RunningNode | undefined;
  return {
    tmp,
    server,
    node,
    async start() {
      running = await startNode(node);
    },
    async stop() {
      await running?.stop();
      await server.stop();
      node.close();
      tmp.dispose();
    },
  };
}
