// Helpers of the CLI's end-to-end tests: real node processes (`fedbiomed node start`, spawned from
// the built CLI; build first with `npx tsc -b packages/cli`) on the bundled Fed-Heart-Disease and WDBC data.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEART_DISEASE_CENTERS } from '@fedbiomed/datasets';
import { openNode, startNode } from '@fedbiomed/node';
import * as tf from '@tensorflow/tfjs';
import { bundledDataset, docBlock, makeTempDir, WORKSPACE_ROOT, type TempDir } from '@fedbiomed/test-utils';
import { saveModel } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';
import { DEMO_DATA_DIR } from './demo-command';
import { prepareNodeFolder, spawnNode, type LocalNodeProcess, type LocalNodeSpec } from './local-nodes';
import { readExperimentFile, type ExperimentFile } from './researcher-config';

export const BIN = join(WORKSPACE_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** Fails early with the command to run when the CLI was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first with npx tsc -b packages/cli`);
}

/** A port free right now on 127.0.0.1, for node configs that must name the researcher's port in advance. */
export { freePort } from '@fedbiomed/test-utils';

/** Node specs for the first `count` Fed-Heart-Disease centers, folders under `root`. */
export function heartDiseaseNodes(root: string, count: number): LocalNodeSpec[] {
  return HEART_DISEASE_CENTERS.slice(0, count).map((center, index) => ({
    dir: join(root, center),
    nodeId: `hospital-${center}`,
    nodeName: `Hospital ${center}`,
    dataset: { dataType: 'heart-disease', path: DEMO_DATA_DIR, options: { center: index }, tags: ['heart-disease'] },
  }));
}

/** Prepares the folders and starts one process per node. */
export async function startNodes(specs: readonly LocalNodeSpec[], researcher: { address: string; token: string }, logDir: string): Promise<LocalNodeProcess[]> {
  await Promise.all(specs.map((spec) => prepareNodeFolder(spec, researcher)));
  return specs.map((spec) => spawnNode(BIN, spec.dir, spec.nodeId, logDir));
}

/** A researcher server on loopback and in-process nodes dialling it, with their folders. */
export interface InProcessFederation {
  readonly server: ResearcherServer;
  readonly folders: TempDir;
  /** Stops and closes the nodes, then the server, and removes the folders. */
  stop(): Promise<void>;
}

/**
 * Starts a ResearcherServer on loopback, prepares each node folder (registry, dataset) that `specs`
 * lays out under a fresh temp folder, and runs each as a silent in-process `@fedbiomed/node` runtime.
 */
export async function startInProcessFederation(
  prefix: string,
  specs: (folder: string) => readonly LocalNodeSpec[],
  options: { readonly via?: (serverAddress: string) => Promise<string> } = {},
): Promise<InProcessFederation> {
  const token = `${prefix}token`;
  const folders = makeTempDir(prefix);
  const server = new ResearcherServer({ enrolmentTokens: [token] });
  const serverAddress = `127.0.0.1:${await server.start()}`;
  // Nodes dial `via`'s address when given (e.g. a byte-counting proxy in front of the server).
  const address = options.via ? await options.via(serverAddress) : serverAddress;
  const stops: (() => Promise<void>)[] = [];
  for (const spec of specs(folders.path)) {
    await prepareNodeFolder(spec, { address, token });
    const node = openNode(spec.dir, { env: { FEDBIOMED_NODE_LOG_LEVEL: 'silent' } });
    const running = await startNode(node);
    stops.push(async () => {
      await running.stop();
      node.close();
    });
  }
  return {
    server,
    folders,
    async stop() {
      for (const stop of stops) await stop();
      await server.stop();
      folders.dispose();
    },
  };
}

/** A CLI process: its output so far and its exit. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `fedbiomed <args>` from the built CLI. */
export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `fedbiomed <args>` to the end; rejects with its output when it exits non-zero. */
export async function runCliToEnd(args: readonly string[]): Promise<string> {
  const run = startCli(args);
  const code = await run.exited;
  if (code !== 0) throw new Error(`fedbiomed ${args.join(' ')} exited ${code}:\n${run.stdout()}${run.stderr()}`);
  return run.stdout();
}

/** Resolves once `condition` holds (checked every 100 ms); rejects naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Writes WDBC's rows (scikit-learn's metadata line dropped) as `parts` disjoint headerless CSVs, label last. */
export function writeWdbcParts(dir: string, parts: number): string[] {
  const rows = readFileSync(bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'), 'utf8').trim().split('\n').slice(1);
  return Array.from({ length: parts }, (_, part) => {
    const file = join(dir, `wdbc-part-${part}.csv`);
    writeFileSync(file, `${rows.filter((_, i) => i % parts === part).join('\n')}\n`);
    return file;
  });
}

/** A CSV node of {@link initCsvNode}: folder, id, name, researcher address, enrolment token, data file, tags. */
export interface CsvNodeSpec {
  readonly dir: string;
  readonly id: string;
  readonly name: string;
  readonly researcher: string;
  readonly token: string;
  readonly csv: string;
  readonly tags: string;
}

/**
 * One node per letter (`hospital-a`, "Hospital A", folder `node-a` under `root`), each holding one
 * part of WDBC tagged `wdbc`, for a researcher on 127.0.0.1:`port`.
 */
export function wdbcNodeSpecs(root: string, letters: readonly string[], port: number, token: string): CsvNodeSpec[] {
  const csvs = writeWdbcParts(root, letters.length);
  return letters.map((letter, i) => ({
    dir: join(root, `node-${letter}`),
    id: `hospital-${letter}`,
    name: `Hospital ${letter.toUpperCase()}`,
    researcher: `127.0.0.1:${port}`,
    token,
    csv: csvs[i]!,
    tags: 'wdbc',
  }));
}

/**
 * Writes the experiment file of the doc block `id` in `doc` to `dir`/experiment.json, with the model
 * it names beside it: WDBC's logistic regression (dense 30 → 1, sigmoid), weights at zero.
 */
export async function writeDocExperiment(dir: string, doc: string, id: string): Promise<{ file: string; experiment: ExperimentFile }> {
  const file = join(dir, 'experiment.json');
  writeFileSync(file, docBlock(doc, id));
  const experiment = readExperimentFile(file);
  const model = tf.sequential({ layers: [tf.layers.dense({ name: 'logistic', inputShape: [30], units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' })] });
  try {
    await saveModel(model, experiment.model);
  } finally {
    model.dispose();
  }
  return { file, experiment };
}

/** `fedbiomed node dataset add --options` for a {@link writeWdbcParts} file. */
export const WDBC_PART_OPTIONS = JSON.stringify({ header: false, label: 30, task: 'classification' });

/**
 * Creates a node folder and registers one CSV with the node CLI, as an operator would: `init`
 * (approval required, the default), then `dataset add --type csv`.
 */
export async function initCsvNode(node: CsvNodeSpec): Promise<void> {
  await runCliToEnd(['node', '--path', node.dir, 'init', '--id', node.id, '--name', node.name, '--researcher', node.researcher, '--token', node.token]);
  await runCliToEnd(['node', '--path', node.dir, 'dataset', 'add', '--type', 'csv', '--path', node.csv, '--tags', node.tags, '--options', WDBC_PART_OPTIONS]);
}

/** The plans pending on a node, as `fedbiomed node plan list --status pending --json` prints them. */
export async function pendingPlans(dir: string): Promise<{ sha256: string; name: string }[]> {
  return JSON.parse(await runCliToEnd(['node', '--path', dir, 'plan', 'list', '--status', 'pending', '--json'])) as { sha256: string; name: string }[];
}
