/**
 * One running node per folder: `startNode` creates `node.lock` with O_EXCL, holding the pid, host
 * and start time of its process. Two daemons on one folder would share one node id, and the
 * researcher would keep replacing one's session with the other's. One-shot commands (dataset add,
 * plan approve) do not take the lock: SQLite serialises their writes with the daemon's.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { NodeError } from './errors';
import type { NodeLogger } from './logger';

/** What the lock file holds. */
export interface FolderLockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO 8601. */
  readonly startedAt: string;
}

/** A lock this process holds; {@link release} is idempotent. */
export interface FolderLock {
  readonly file: string;
  readonly holder: FolderLockHolder;
  release(): void;
}

/** Lock files held by this process: a second `startNode` on a held folder is refused, not mistaken for a stale lock. */
const HELD = new Set<string>();

/**
 * Takes the lock file `file` of the node folder `dir`. A lock left by a process that no longer runs
 * on this host is taken over, with a warning. The lock is released by {@link FolderLock.release}
 * and, failing that, when the process exits.
 *
 * @throws NodeError FOLDER_IN_USE naming the folder and the pid (and host) holding it
 */
export function lockNodeFolder(dir: string, file: string, logger: NodeLogger): FolderLock {
  const holder: FolderLockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  // Two tries: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (HELD.has(file)) throw inUse(dir, file, 'this process');
    if (tryCreate(file, holder)) return held(file, holder);
    const current = readHolder(file);
    if (current === undefined) continue; // removed meanwhile
    if (current === 'unreadable' || isAlive(current)) throw inUse(dir, file, current);
    logger.warn(
      { event: 'folder-lock-taken-over', file, stalePid: current.pid, staleStartedAt: current.startedAt },
      `node folder ${dir} was locked by pid ${current.pid} (started ${current.startedAt}), which no longer runs; taking the lock over`,
    );
    removeIfUnchanged(file, current);
  }
  throw inUse(dir, file, 'unreadable');
}

function tryCreate(file: string, holder: FolderLockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new NodeError('INVALID_CONFIG', `cannot create the lock file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function held(file: string, holder: FolderLockHolder): FolderLock {
  HELD.add(file);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    HELD.delete(file);
    process.removeListener('exit', release);
    removeIfUnchanged(file, holder);
  };
  // A crash or process.exit() skips the graceful stop; the lock goes with the process all the same.
  process.on('exit', release);
  return { file, holder, release };
}

/** `undefined` when the file is gone; 'unreadable' while a starting node has not written it yet, or when damaged. */
function readHolder(file: string): FolderLockHolder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<FolderLockHolder>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid, hostname: value.hostname, startedAt: value.startedAt };
    }
  } catch {
    // fall through: not JSON
  }
  return 'unreadable';
}

/**
 * Whether the holder may still run. A pid on another host cannot be checked, so it counts as
 * alive; our own pid belongs to an earlier process whose pid this one reuses (we checked
 * {@link HELD}), e.g. pid 1 in a restarted container.
 */
function isAlive(holder: FolderLockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the lock file if it still holds `holder`: between reading a stale lock and removing it,
 * another starting node may have taken the lock over and written its own.
 */
function removeIfUnchanged(file: string, holder: FolderLockHolder): void {
  const current = readHolder(file);
  if (current === undefined || current === 'unreadable') return;
  if (current.pid !== holder.pid || current.hostname !== holder.hostname || current.startedAt !== holder.startedAt) return;
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function inUse(dir: string, file: string, holder: FolderLockHolder | 'this process' | 'unreadable'): NodeError {
  if (holder === 'unreadable') {
    return new NodeError('FOLDER_IN_USE', `node folder ${dir} is locked by a node that is starting (${file} names no process yet); if no node runs on this folder, remove ${file}`);
  }
  const by =
    holder === 'this process'
      ? `a node started by this process (pid ${process.pid})`
      : `pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`} (running since ${holder.startedAt})`;
  return new NodeError('FOLDER_IN_USE', `node folder ${dir} is already in use by ${by}; stop that node first, or give this node its own folder`);
}
