import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE, type NodeConfig, type NodeConfigInput, parseNodeConfig } from './config';
import { openNodeDatabase } from './database';
import { NodeError } from './errors';

/** Default node folder when neither `--path` nor `FEDBIOMED_NODE_DIR` is given. */
export const DEFAULT_NODE_DIR = 'fedbiomed-node';

/** The files and folders of a node folder. */
export interface NodePaths {
  readonly root: string;
  readonly config: string;
  readonly database: string;
  readonly certs: string;
  readonly logs: string;
  /** Held by the running node (`startNode`): one daemon per folder. */
  readonly lock: string;
}

/**
 * Resolves the node folder: `explicit` (e.g. `--path`), else `FEDBIOMED_NODE_DIR`, else
 * `./fedbiomed-node`, against the current directory.
 */
export function resolveNodeDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? env['FEDBIOMED_NODE_DIR'] ?? DEFAULT_NODE_DIR);
}

/** Names the files of the node folder `dir`. */
export function nodePaths(dir: string): NodePaths {
  const root = resolve(dir);
  return {
    root,
    config: join(root, CONFIG_FILE),
    database: join(root, 'node.db'),
    certs: join(root, 'certs'),
    logs: join(root, 'logs'),
    lock: join(root, 'node.lock'),
  };
}

/** What `init` may set; everything else gets its default. */
export type InitNodeOptions = Partial<NodeConfigInput>;

/**
 * Creates a node folder: `certs/`, `logs/`, the database with its schema, then `config.json` last,
 * so an interrupted `init` leaves a folder that is still "not initialised" and can be retried.
 *
 * @throws NodeError ALREADY_INITIALISED when `config.json` exists, INVALID_CONFIG for bad options
 */
export function initNodeFolder(dir: string, options: InitNodeOptions = {}): NodeConfig {
  const paths = nodePaths(dir);
  if (existsSync(paths.config)) {
    throw new NodeError('ALREADY_INITIALISED', `${paths.config} already exists; this folder is already a node`);
  }
  const nodeId = options.nodeId ?? `node-${randomUUID()}`;
  const config = parseNodeConfig({ ...options, nodeId, nodeName: options.nodeName ?? nodeId }, 'init options');
  mkdirSync(paths.certs, { recursive: true });
  mkdirSync(paths.logs, { recursive: true });
  openNodeDatabase(paths.database).close();
  writeFileSync(paths.config, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  return config;
}
