/**
 * One running node per folder. In-process: the lock file's life and its stale cases on real files.
 * Spawned: two `fedbiomed node start` on one folder against a real gRPC researcher on loopback
 * (build first with `npx tsc -b packages/cli`), and a start after `kill -9`.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { bundledDataset, makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { ResearcherServer } from '@fedbiomed/transport';
import pino from 'pino';
import { lockNodeFolder } from './folder-lock';
import { runNodeCli, SILENT_LOGGER, spawnNodeCli, WDBC_CSV_OPTIONS } from './testing/fixtures';

jest.setTimeout(120_000);

/** A logger keeping its JSON lines, to read the take-over warning. */
function memoryLogger(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** A pid that ran on this host and has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('lockNodeFolder', () => {
  let tmp: TempDir;
  let file: string;
  beforeEach(() => {
    tmp = makeTempDir('fedbiomed-node-lock-');
    file = join(tmp.path, 'node.lock');
  });
  afterEach(() => tmp.dispose());

  it('writes pid, host and start time; a second lock in the same process is refused; release removes the file', () => {
    const { logger } = memoryLogger();
    const lock = lockNodeFolder(tmp.path, file, logger);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: process.pid, hostname: hostname(), startedAt: lock.holder.startedAt });
    expect(() => lockNodeFolder(tmp.path, file, logger)).toThrow(`node folder ${tmp.path} is already in use by a node started by this process (pid ${process.pid})`);
    lock.release();
    lock.release();
    expect(existsSync(file)).toBe(false);
    lockNodeFolder(tmp.path, file, logger).release();
  });

  it('takes over the lock of a process that no longer runs, with a warning naming it', () => {
    const pid = deadPid();
    writeFileSync(file, JSON.stringify({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
    const { logger, lines } = memoryLogger();
    const lock = lockNodeFolder(tmp.path, file, logger);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 40,
        event: 'folder-lock-taken-over',
        stalePid: pid,
        msg: `node folder ${tmp.path} was locked by pid ${pid} (started 2020-01-01T00:00:00.000Z), which no longer runs; taking the lock over`,
      }),
    ]);
    lock.release();
  });

  it('refuses a lock held by a live process, or by a process on another host (its pid cannot be checked from here)', () => {
    const { logger } = memoryLogger();
    writeFileSync(file, JSON.stringify({ pid: process.ppid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
    expect(() => lockNodeFolder(tmp.path, file, logger)).toThrow(
      expect.objectContaining({ code: 'FOLDER_IN_USE', message: expect.stringContaining(`already in use by pid ${process.ppid} (running since 2020-01-01T00:00:00.000Z)`) }),
    );
    writeFileSync(file, JSON.stringify({ pid: deadPid(), hostname: 'other-host', startedAt: '2020-01-01T00:00:00.000Z' }));
    expect(() => lockNodeFolder(tmp.path, file, logger)).toThrow(/already in use by pid \d+ on host other-host/);
  });

  it('refuses a lock file that names no process, and says which file to remove', () => {
    writeFileSync(file, '');
    expect(() => lockNodeFolder(tmp.path, file, memoryLogger().logger)).toThrow(`if no node runs on this folder, remove ${file}`);
  });
});

describe('two `fedbiomed node start` on one folder (spawned)', () => {
  const TOKEN = 'lock-token';
  const NODE_ID = 'locked-node';
  let tmp: TempDir;
  let dir: string;
  let researcher: ResearcherServer;
  let sessions = 0;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-lock-e2e-');
    dir = join(tmp.path, 'node');
    researcher = new ResearcherServer({ enrolmentTokens: [TOKEN], logger: SILENT_LOGGER });
    const port = await researcher.start();
    researcher.on('nodeOnline', (info) => {
      if (info.id === NODE_ID) sessions += 1;
    });
    const init = await runNodeCli(dir, ['init', '--id', NODE_ID, '--researcher', `127.0.0.1:${port}`, '--token', TOKEN]);
    if (init.code !== 0) throw new Error(init.stderr);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await researcher.stop();
    tmp.dispose();
  });

  /** Starts a node on the folder; resolves with the child once the researcher sees a new session. */
  const start = async (): Promise<{ child: ChildProcess; stderr: () => string }> => {
    const before = sessions;
    const child = spawnNodeCli(dir, ['start', '--log-format', 'json'], { FEDBIOMED_LOG_LEVEL: 'info' });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (sessions === before) {
      if (child.exitCode !== null) throw new Error(`node exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`node never connected: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { child, stderr: () => stderr };
  };

  it('the second start exits non-zero naming the folder and the pid; the first keeps its session', async () => {
    const first = await start();
    expect(sessions).toBe(1);
    const second = await runNodeCli(dir, ['start']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`node folder ${dir} is already in use by pid ${first.child.pid}`);
    // No churn: a second session would have displaced the first one, and it would reconnect.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sessions).toBe(1);
    expect(researcher.nodes()).toEqual([expect.objectContaining({ id: NODE_ID, state: 'online' })]);
    await expect(researcher.request(NODE_ID, { ping: { sentAtMs: Date.now() } }, { timeoutMs: 10_000 })).resolves.toMatchObject({ nodeId: NODE_ID });
    // A one-shot command that writes the registry still works while the node runs.
    const added = await runNodeCli(dir, ['dataset', 'add', '--type', 'csv', '--path', bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'), '--tags', 'wdbc', '--options', JSON.stringify({ ...WDBC_CSV_OPTIONS, skipLines: 1 })]);
    expect(added).toMatchObject({ code: 0, stdout: expect.stringMatching(/registered dataset .*569 samples/) });

    const exited = once(first.child, 'exit');
    first.child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
    expect(existsSync(join(dir, 'node.lock'))).toBe(false);
  });

  it('after kill -9 of the running node, a new start takes the stale lock over and logs it', async () => {
    const victim = await start();
    const exited = once(victim.child, 'exit');
    victim.child.kill('SIGKILL');
    await exited;
    expect(JSON.parse(readFileSync(join(dir, 'node.lock'), 'utf8'))).toMatchObject({ pid: victim.child.pid });

    const next = await start();
    const takeOver = next
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line['event'] === 'folder-lock-taken-over');
    expect(takeOver).toMatchObject({ stalePid: victim.child.pid, msg: expect.stringContaining(`was locked by pid ${victim.child.pid}`) });
    expect(JSON.parse(readFileSync(join(dir, 'node.lock'), 'utf8'))).toMatchObject({ pid: next.child.pid });
    const stopped = once(next.child, 'exit');
    next.child.kill('SIGINT');
    expect((await stopped)[0]).toBe(0);
    expect(existsSync(join(dir, 'node.lock'))).toBe(false);
  });
});
