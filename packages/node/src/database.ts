import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { NodeError } from './errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

/** A better-sqlite3 connection. */
export type SqliteDatabase = Database.Database;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (or creates) the node database, in WAL mode, and brings its schema up to date.
 *
 * @throws NodeError INVALID_DATABASE for a file that is not SQLite, DATABASE_TOO_NEW for a schema
 * written by a newer build (nothing is changed in either case)
 */
export function openNodeDatabase(file: string): SqliteDatabase {
  assertSqliteFile(file);
  let db: SqliteDatabase;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new NodeError('INVALID_DATABASE', `cannot open the node database ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function assertSqliteFile(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) {
    throw new NodeError('INVALID_DATABASE', `${file} is not a SQLite database; move it away or restore the node's backup`);
  }
}

function migrate(db: SqliteDatabase, file: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  const current = row.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new NodeError(
      'DATABASE_TOO_NEW',
      `${file} has schema version ${current} but this build knows up to ${SCHEMA_VERSION}; upgrade @fedbiomed/node`,
    );
  }
  const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    })();
  }
}
