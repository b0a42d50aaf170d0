/**
 * Numbered schema migrations of the node database. A migration is never edited once released;
 * changes go in a new one appended at the end.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Every migration, in order; the last version is the schema this build writes. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'datasets, plans, audit and per-experiment state',
    sql: `
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        data_type TEXT NOT NULL,
        path TEXT NOT NULL,
        tags TEXT NOT NULL,
        description TEXT NOT NULL,
        options TEXT NOT NULL,
        feature_shape TEXT NOT NULL,
        feature_dtypes TEXT NOT NULL,
        sample_count INTEGER NOT NULL,
        num_classes INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE plans (
        sha256 TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        canonical_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        decided_by TEXT,
        decided_at TEXT,
        notes TEXT NOT NULL DEFAULT '',
        registered_at TEXT NOT NULL,
        registered_by TEXT NOT NULL
      );
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        plan_sha256 TEXT,
        dataset_id TEXT,
        experiment_id TEXT,
        request_id TEXT,
        detail TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX audit_plan ON audit (plan_sha256);
      CREATE TABLE experiment_state (
        experiment_id TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value BLOB NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (experiment_id, dataset_id, key)
      );
    `,
  },
  {
    version: 2,
    description: 'optimiser state per experiment and dataset, slots as float32 BLOBs',
    sql: `
      CREATE TABLE optimizer_state (
        experiment_id TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        optimizer TEXT NOT NULL,
        step INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (experiment_id, dataset_id)
      );
      CREATE TABLE optimizer_slots (
        experiment_id TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        shape TEXT NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (experiment_id, dataset_id, position),
        FOREIGN KEY (experiment_id, dataset_id) REFERENCES optimizer_state (experiment_id, dataset_id) ON DELETE CASCADE
      );
    `,
  },
  {
    version: 3,
    description: 'missing-value report per dataset; CSV options renamed to the explicit missing-value policy',
    // CSV datasets registered before the policy existed were validated with the old default, which
    // dropped rows with a missing value: they keep it explicitly, so they open as registered.
    sql: `
      ALTER TABLE datasets ADD COLUMN missing_values TEXT;
      UPDATE datasets SET options = json_set(options, '$.missing', 'drop')
        WHERE data_type = 'csv' AND json_type(options, '$.missing') IS NULL;
      UPDATE datasets SET options = json_set(options, '$.missing', 'refuse')
        WHERE data_type = 'csv' AND json_extract(options, '$.missing') = 'error';
      UPDATE datasets SET options = json_remove(json_set(options, '$.missingTokens', json(json_extract(options, '$.missingValues'))), '$.missingValues')
        WHERE data_type = 'csv' AND json_type(options, '$.missingValues') = 'array';
    `,
  },
  {
    version: 4,
    description: 'target description (labels kind, shape, columns) and fixed split counts per dataset',
    // NULL for datasets registered before: their target is read from num_classes, and they carry no split.
    sql: `
      ALTER TABLE datasets ADD COLUMN target TEXT;
      ALTER TABLE datasets ADD COLUMN fixed_split TEXT;
    `,
  },
  {
    version: 5,
    description: 'privacy ledger: what each train task under differential privacy spent, per dataset',
    // rdp holds the task's Rényi DP at the accountant's default orders (JSON, null for ∞), so a
    // dataset's total is a sum of rows, converted to ε at the budget's δ.
    sql: `
      CREATE TABLE privacy_ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id TEXT NOT NULL,
        experiment_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        round INTEGER NOT NULL,
        mechanism TEXT NOT NULL,
        sampling_rate REAL NOT NULL,
        noise_multiplier REAL NOT NULL,
        steps INTEGER NOT NULL,
        rdp TEXT NOT NULL,
        spent_at TEXT NOT NULL
      );
      CREATE INDEX privacy_ledger_dataset ON privacy_ledger (dataset_id, experiment_id);
    `,
  },
  {
    version: 6,
    description: 'GUI users (role, scrypt password hash) and their sessions (token hashes only)',
    sql: `
      CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE sessions (
        token_sha256 TEXT PRIMARY KEY,
        user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
    `,
  },
];

/** Schema version this build reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
