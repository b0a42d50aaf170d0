import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { loadNodeConfig } from './config';
import { openNodeDatabase } from './database';
import { NodeError } from './errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { initNodeFolder, nodePaths, resolveNodeDir } from './node-folder';

describe('node folder', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = makeTempDir('fedbiomed-node-folder-');
  });
  afterEach(() => tmp.dispose());

  it('init creates config, database in WAL mode, certs and logs', () => {
    const dir = join(tmp.path, 'n1');
    const config = initNodeFolder(dir, { nodeName: 'Hospital A', researcher: { address: 'localhost:7000' } });
    const paths = nodePaths(dir);
    expect(existsSync(paths.certs) && existsSync(paths.logs)).toBe(true);
    expect(config.nodeId).toMatch(/^node-[0-9a-f-]{36}$/);
    expect(config.policy.requirePlanApproval).toBe(true);
    const stored = JSON.parse(readFileSync(paths.config, 'utf8'));
    expect(stored.nodeName).toBe('Hospital A');
    const db = new Database(paths.database, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    db.close();
  });

  it('init refuses a folder that already holds a node', () => {
    initNodeFolder(tmp.path, {});
    expect(() => initNodeFolder(tmp.path, {})).toThrow(expect.objectContaining({ code: 'ALREADY_INITIALISED' }));
  });

  it('environment variables override the config file', () => {
    initNodeFolder(tmp.path, { nodeId: 'a', researcher: { address: 'localhost:1' } });
    const config = loadNodeConfig(tmp.path, { FEDBIOMED_RESEARCHER_ADDRESS: '127.0.0.1:9999', FEDBIOMED_NODE_NAME: 'B' });
    expect(config.researcher.address).toBe('127.0.0.1:9999');
    expect(config.nodeName).toBe('B');
    expect(config.nodeId).toBe('a');
    expect(config.training.threads).toBe(1);
    expect(loadNodeConfig(tmp.path, { FEDBIOMED_NODE_TRAINING_THREADS: '2' }).training.threads).toBe(2);
    expect(() => loadNodeConfig(tmp.path, { FEDBIOMED_NODE_TRAINING_THREADS: 'many' })).toThrow(/training\.threads/);
    expect(() => loadNodeConfig(tmp.path, { FEDBIOMED_NODE_TRAINING_THREADS: '0' })).toThrow(/training\.threads/);
  });

  it('a config with a wrong field names the field', () => {
    initNodeFolder(tmp.path, {});
    const file = nodePaths(tmp.path).config;
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.policy.minSamplesPerDataset = -3;
    writeFileSync(file, JSON.stringify(config));
    expect(() => loadNodeConfig(tmp.path, {})).toThrow(/policy\.minSamplesPerDataset/);
    writeFileSync(file, '{not json');
    expect(() => loadNodeConfig(tmp.path, {})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('a folder without a config is not initialised', () => {
    expect(() => loadNodeConfig(tmp.path, {})).toThrow(expect.objectContaining({ code: 'NOT_INITIALISED' }));
  });

  it('refuses a database file that is not SQLite and leaves it untouched', () => {
    const file = join(tmp.path, 'node.db');
    writeFileSync(file, 'this is a text file, not a database\n');
    expect(() => openNodeDatabase(file)).toThrow(expect.objectContaining({ code: 'INVALID_DATABASE' }));
    expect(readFileSync(file, 'utf8')).toBe('this is a text file, not a database\n');
  });

  it('refuses a database written by a newer schema', () => {
    const file = join(tmp.path, 'node.db');
    openNodeDatabase(file).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 'later');
    db.close();
    const error = (() => {
      try {
        openNodeDatabase(file);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).code).toBe('DATABASE_TOO_NEW');
    expect((error as NodeError).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
  });

  it('upgrades a version 1 database in place, keeping its experiment state', () => {
    const file = join(tmp.path, 'node.db');
    const v1 = new Database(file);
    v1.exec('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
    v1.exec(MIGRATIONS[0]!.sql);
    v1.prepare('INSERT INTO schema_version (version, applied_at) VALUES (1, ?)').run('earlier');
    v1.prepare('INSERT INTO experiment_state VALUES (?, ?, ?, ?, ?)').run('exp', 'ds', 'last-round', Buffer.from('{}'), 'earlier');
    v1.close();
    const db = openNodeDatabase(file);
    try {
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
      expect(db.prepare('SELECT key FROM experiment_state').all()).toEqual([{ key: 'last-round' }]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM optimizer_state').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('upgrades a version 2 database: CSV datasets keep dropping rows as when registered, options renamed', () => {
    const file = join(tmp.path, 'node.db');
    const v2 = new Database(file);
    v2.exec('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) v2.exec(migration.sql);
    v2.prepare('INSERT INTO schema_version (version, applied_at) VALUES (2, ?)').run('earlier');
    const insert = v2.prepare(`INSERT INTO datasets VALUES (?, 'n', ?, '/data', '["t"]', '', ?, '[1]', '["float32"]', 1, 2, 'earlier')`);
    insert.run('old-default', 'csv', JSON.stringify({ label: 'y' }));
    insert.run('old-error', 'csv', JSON.stringify({ label: 'y', missing: 'error', missingValues: ['-9'] }));
    insert.run('imputed', 'csv', JSON.stringify({ label: 'y', missing: { impute: 'mean' } }));
    insert.run('recipe', 'heart-disease', JSON.stringify({ center: 0 }));
    v2.close();
    const db = openNodeDatabase(file);
    try {
      const rows = db.prepare('SELECT id, options, missing_values FROM datasets ORDER BY id').all() as Array<{ id: string; options: string; missing_values: null }>;
      expect(rows.map((row) => [row.id, JSON.parse(row.options), row.missing_values])).toEqual([
        ['imputed', { label: 'y', missing: { impute: 'mean' } }, null],
        ['old-default', { label: 'y', missing: 'drop' }, null],
        ['old-error', { label: 'y', missing: 'refuse', missingTokens: ['-9'] }, null],
        ['recipe', { center: 0 }, null],
      ]);
    } finally {
      db.close();
    }
  });

  it('resolves the folder from --path, then FEDBIOMED_NODE_DIR, then the default', () => {
    expect(resolveNodeDir('/x/y', { FEDBIOMED_NODE_DIR: '/z' })).toBe('/x/y');
    expect(resolveNodeDir(undefined, { FEDBIOMED_NODE_DIR: '/z' })).toBe('/z');
    expect(resolveNodeDir(undefined, {})).toBe(join(process.cwd(), 'fedbiomed-node'));
  });
});
