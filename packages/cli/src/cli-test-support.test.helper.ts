// Helpers of the CLI's end-to-end tests: real node processes (`fedbiomed node start`, spawned from
// the built CLI; build first with `npx tsc -b packages/cli`) on the bundled Fed-Heart-Disease data.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HEART_DISEASE_CENTERS } from '@fedbiomed/datasets';
import { WORKSPACE_ROOT } from '@fedbiomed/test-utils';
import { DEMO_DATA_DIR } from './demo-command';
import { prepareNodeFolder, spawnNode, type LocalNodeProcess, type LocalNodeSpec } from './local-nodes';

export const BIN = join(WORKSPACE_ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** Fails early with the command to run when the CLI was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first with npx tsc -b packages/cli`);
}

/** A port free right now on 127.0.0.1, for node configs that must name the researcher's port in advance. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

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
