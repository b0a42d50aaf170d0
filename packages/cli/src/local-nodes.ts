import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeFolder, openNode, type AddDatasetInput, type InitNodeOptions } from '@fedbiomed/node';
import type { TrainingPlan } from '@fedbiomed/proto';
import type { ResearcherServer } from '@fedbiomed/transport';

/** A node to run on this machine. */
export interface LocalNodeSpec {
  readonly dir: string;
  readonly nodeId: string;
  readonly nodeName: string;
  readonly dataset: AddDatasetInput;
  readonly policy?: InitNodeOptions['policy'];
}

/** A node process started by {@link spawnNode}. */
export interface LocalNodeProcess {
  readonly nodeId: string;
  readonly dir: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM (graceful), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Creates a node folder through `@fedbiomed/node`'s API and registers its dataset, as an operator would. */
export async function prepareNodeFolder(spec: LocalNodeSpec, researcher: { address: string; token: string }): Promise<void> {
  initNodeFolder(spec.dir, {
    nodeId: spec.nodeId,
    nodeName: spec.nodeName,
    researcher: { address: researcher.address, enrolmentToken: researcher.token },
    ...(spec.policy !== undefined && { policy: spec.policy }),
  });
  const node = openNode(spec.dir, { env: {} });
  try {
    await node.datasets.add(spec.dataset, 'fedbiomed demo');
  } finally {
    node.close();
  }
}

/**
 * Approves a plan in a node's registry, as its operator would with `fedbiomed node plan register`
 * (when the node has not received it yet) and `fedbiomed node plan approve`.
 */
export function approvePlanAsOperator(dir: string, plan: TrainingPlan, operator: string): void {
  const node = openNode(dir, { env: {} });
  const decision = { by: operator, notes: 'approved by a script on behalf of the operator' };
  try {
    if (node.plans.find(plan.sha256 ?? '') === undefined) node.plans.submit(plan, decision);
    node.plans.approve(plan.sha256 ?? '', decision);
  } finally {
    node.close();
  }
}

/**
 * Starts `fedbiomed node --path <dir> start` as a child process (`binPath` is the CLI's `bin.js`),
 * its output going to `<logDir>/<nodeId>.log`.
 */
export function spawnNode(binPath: string, dir: string, nodeId: string, logDir: string): LocalNodeProcess {
  const logFile = join(logDir, `${nodeId}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [binPath, 'node', '--path', dir, 'start'], { stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    nodeId,
    dir,
    logFile,
    child,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Resolves once every node of `nodeIds` is online on `server`; rejects naming the missing nodes
 * (and the end of a dead node's log) after `timeoutMs` or as soon as one of `processes` exits.
 */
export async function waitForNodes(
  server: ResearcherServer,
  nodeIds: readonly string[],
  processes: readonly LocalNodeProcess[],
  timeoutMs: number,
): Promise<void> {
  const online = (): Set<string> => new Set(server.nodes().filter((n) => n.state === 'online').map((n) => n.id));
  const missing = (): string[] => nodeIds.filter((id) => !online().has(id));
  if (missing().length === 0) return;
  await new Promise<void>((resolve, reject) => {
    const stops: (() => void)[] = [];
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stops.forEach((stop) => stop());
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`nodes not online after ${timeoutMs} ms: ${missing().join(', ')}`)), timeoutMs);
    stops.push(server.on('nodeOnline', () => missing().length === 0 && finish()));
    for (const p of processes) {
      void p.exited.then((code) => finish(new Error(`node ${p.nodeId} exited (${code}) before joining; its log ends with:\n${tail(p.logFile)}`)));
    }
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-8).join('\n');
  } catch {
    return '(no log)';
  }
}
