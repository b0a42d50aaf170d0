import type { DatasetTarget, FixedSplitSummary, MissingValueReport } from '@fedbiomed/datasets';
import type { OptimizerState } from '@fedbiomed/training';
import type { SqliteDatabase } from './database';
import { blobToFloat32, float32ToBlob } from './float32-blob';
import type { PlanApproval } from './plan-approval';

/** A dataset as the registry stores it. */
export interface DatasetRecord {
  readonly id: string;
  readonly name: string;
  /** "csv", "images", "mnist", "medical-folder" or a recipe name. */
  readonly dataType: string;
  /** Absolute path of the file or folder. */
  readonly path: string;
  readonly tags: readonly string[];
  readonly description: string;
  /** Adapter options, as given at registration. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly featureShape: readonly number[];
  readonly featureDtypes: readonly string[];
  readonly sampleCount: number;
  /** Number of classes, 0 for regression. */
  readonly numClasses: number;
  /** What the missing-value policy did at registration (tabular sources only). */
  readonly missingValues?: MissingValueReport;
  /** What the labels are (class ids, values, [time, event], masks); absent for datasets registered before it was recorded. */
  readonly target?: DatasetTarget;
  /** The split the data carries (split column or file, a recipe's), used as is by every experiment. */
  readonly fixedSplit?: FixedSplitSummary;
  readonly createdAt: string;
}

/** A training plan known to the node, with its approval state. */
export interface PlanRecord {
  readonly sha256: string;
  readonly name: string;
  readonly kind: string;
  readonly canonicalJson: string;
  readonly approval: PlanApproval;
  readonly registeredAt: string;
  /** Who made the node aware of the plan: an operator or a researcher id. */
  readonly registeredBy: string;
}

/** One line of the audit table: a request received or a decision taken. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  /** Operator, researcher id or "policy". */
  readonly actor: string;
  /** e.g. "plan.register", "plan.approve", "approval.request", "train", "dataset.add". */
  readonly action: string;
  /** e.g. "pending", "approved", "refused", "done", "failed". */
  readonly outcome: string;
  readonly planSha256?: string;
  readonly datasetId?: string;
  readonly experimentId?: string;
  readonly requestId?: string;
  readonly detail: string;
}

/** What {@link NodeRepository.appendAudit} needs; `id` and `at` are filled in. */
export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { readonly at?: string };

/** Filter for {@link NodeRepository.listAudit}. */
export interface AuditQuery {
  readonly planSha256?: string;
  readonly action?: string;
  /** Most recent entries first, at most this many (default: all). */
  readonly limit?: number;
}

/** Key of one piece of per-experiment state. */
export interface StateKey {
  readonly experimentId: string;
  readonly datasetId: string;
  readonly key: string;
}

/** An optimiser state kept between rounds, with what it was trained for. */
export interface StoredOptimizerState {
  /** Plan hash and optimiser (name, arguments) the state belongs to; the caller compares it. */
  readonly fingerprint: string;
  readonly state: OptimizerState;
}

/**
 * Everything the node stores, behind one module: no other file writes SQL. Each method is one
 * statement or one transaction.
 */
export interface NodeRepository {
  insertDataset(record: DatasetRecord): void;
  getDataset(id: string): DatasetRecord | undefined;
  listDatasets(): DatasetRecord[];
  /** Removes a dataset and its per-experiment state; false when the id is unknown. */
  deleteDataset(id: string): boolean;
  /** Runs `fn` in one transaction (e.g. a tag check and an insert). */
  transaction<T>(fn: () => T): T;

  getPlan(sha256: string): PlanRecord | undefined;
  listPlans(): PlanRecord[];
  /** Inserts or replaces a plan's approval state; name, kind and JSON are kept once stored. */
  savePlan(record: PlanRecord): void;

  appendAudit(entry: AuditInput): AuditEntry;
  listAudit(query?: AuditQuery): AuditEntry[];

  getState(key: StateKey): Buffer | undefined;
  putState(key: StateKey, value: Buffer): void;
  listStateKeys(experimentId: string): StateKey[];

  getOptimizerState(experimentId: string, datasetId: string): StoredOptimizerState | undefined;
  /** Replaces the experiment's optimiser state on the dataset, slots included, in one transaction. */
  putOptimizerState(experimentId: string, datasetId: string, stored: StoredOptimizerState): void;
  /** False when there was none. */
  deleteOptimizerState(experimentId: string, datasetId: string): boolean;
}

interface DatasetRow {
  id: string;
  name: string;
  data_type: string;
  path: string;
  tags: string;
  description: string;
  options: string;
  feature_shape: string;
  feature_dtypes: string;
  sample_count: number;
  num_classes: number;
  missing_values: string | null;
  target: string | null;
  fixed_split: string | null;
  created_at: string;
}

interface PlanRow {
  sha256: string;
  name: string;
  kind: string;
  canonical_json: string;
  status: 'pending' | 'approved' | 'rejected';
  decided_by: string | null;
  decided_at: string | null;
  notes: string;
  registered_at: string;
  registered_by: string;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  outcome: string;
  plan_sha256: string | null;
  dataset_id: string | null;
  experiment_id: string | null;
  request_id: string | null;
  detail: string;
}

/** Builds the repository over an open node database. */
export function createNodeRepository(db: SqliteDatabase): NodeRepository {
  const stmt = {
    insertDataset: db.prepare(
      `INSERT INTO datasets (id, name, data_type, path, tags, description, options, feature_shape, feature_dtypes,
         sample_count, num_classes, missing_values, target, fixed_split, created_at)
       VALUES (@id, @name, @data_type, @path, @tags, @description, @options, @feature_shape, @feature_dtypes,
         @sample_count, @num_classes, @missing_values, @target, @fixed_split, @created_at)`,
    ),
    getDataset: db.prepare('SELECT * FROM datasets WHERE id = ?'),
    listDatasets: db.prepare('SELECT * FROM datasets ORDER BY created_at, id'),
    deleteDataset: db.prepare('DELETE FROM datasets WHERE id = ?'),
    deleteDatasetState: db.prepare('DELETE FROM experiment_state WHERE dataset_id = ?'),
    deleteDatasetOptimizerState: db.prepare('DELETE FROM optimizer_state WHERE dataset_id = ?'),
    getPlan: db.prepare('SELECT * FROM plans WHERE sha256 = ?'),
    listPlans: db.prepare('SELECT * FROM plans ORDER BY registered_at, sha256'),
    savePlan: db.prepare(
      `INSERT INTO plans (sha256, name, kind, canonical_json, status, decided_by, decided_at, notes, registered_at, registered_by)
       VALUES (@sha256, @name, @kind, @canonical_json, @status, @decided_by, @decided_at, @notes, @registered_at, @registered_by)
       ON CONFLICT (sha256) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by,
         decided_at = excluded.decided_at, notes = excluded.notes`,
    ),
    appendAudit: db.prepare(
      `INSERT INTO audit (at, actor, action, outcome, plan_sha256, dataset_id, experiment_id, request_id, detail)
       VALUES (@at, @actor, @action, @outcome, @plan_sha256, @dataset_id, @experiment_id, @request_id, @detail)`,
    ),
    getState: db.prepare('SELECT value FROM experiment_state WHERE experiment_id = ? AND dataset_id = ? AND key = ?'),
    putState: db.prepare(
      `INSERT INTO experiment_state (experiment_id, dataset_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (experiment_id, dataset_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    listStateKeys: db.prepare(
      'SELECT experiment_id, dataset_id, key FROM experiment_state WHERE experiment_id = ? ORDER BY dataset_id, key',
    ),
    getOptimizerState: db.prepare('SELECT fingerprint, optimizer, step FROM optimizer_state WHERE experiment_id = ? AND dataset_id = ?'),
    getOptimizerSlots: db.prepare(
      'SELECT name, shape, value FROM optimizer_slots WHERE experiment_id = ? AND dataset_id = ? ORDER BY position',
    ),
    // Slots go with their state (ON DELETE CASCADE).
    deleteOptimizerState: db.prepare('DELETE FROM optimizer_state WHERE experiment_id = ? AND dataset_id = ?'),
    insertOptimizerState: db.prepare(
      'INSERT INTO optimizer_state (experiment_id, dataset_id, fingerprint, optimizer, step, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertOptimizerSlot: db.prepare(
      'INSERT INTO optimizer_slots (experiment_id, dataset_id, position, name, shape, value) VALUES (?, ?, ?, ?, ?, ?)',
    ),
  };

  return {
    insertDataset(record) {
      stmt.insertDataset.run({
        id: record.id,
        name: record.name,
        data_type: record.dataType,
        path: record.path,
        tags: JSON.stringify(record.tags),
        description: record.description,
        options: JSON.stringify(record.options),
        feature_shape: JSON.stringify(record.featureShape),
        feature_dtypes: JSON.stringify(record.featureDtypes),
        sample_count: record.sampleCount,
        num_classes: record.numClasses,
        missing_values: record.missingValues === undefined ? null : JSON.stringify(record.missingValues),
        target: record.target === undefined ? null : JSON.stringify(record.target),
        fixed_split: record.fixedSplit === undefined ? null : JSON.stringify(record.fixedSplit),
        created_at: record.createdAt,
      });
    },
    getDataset(id) {
      const row = stmt.getDataset.get(id) as DatasetRow | undefined;
      return row && toDataset(row);
    },
    listDatasets() {
      return (stmt.listDatasets.all() as DatasetRow[]).map(toDataset);
    },
    deleteDataset(id) {
      return db.transaction(() => {
        stmt.deleteDatasetState.run(id);
        stmt.deleteDatasetOptimizerState.run(id);
        return stmt.deleteDataset.run(id).changes > 0;
      })();
    },
    transaction(fn) {
      return db.transaction(fn)();
    },
    getPlan(sha256) {
      const row = stmt.getPlan.get(sha256) as PlanRow | undefined;
      return row && toPlan(row);
    },
    listPlans() {
      return (stmt.listPlans.all() as PlanRow[]).map(toPlan);
    },
    savePlan(record) {
      const { approval } = record;
      stmt.savePlan.run({
        sha256: record.sha256,
        name: record.name,
        kind: record.kind,
        canonical_json: record.canonicalJson,
        status: approval.status,
        decided_by: approval.status === 'pending' ? null : approval.by,
        decided_at: approval.status === 'pending' ? null : approval.at,
        notes: approval.notes,
        registered_at: record.registeredAt,
        registered_by: record.registeredBy,
      });
    },
    appendAudit(entry) {
      const at = entry.at ?? new Date().toISOString();
      const info = stmt.appendAudit.run({
        at,
        actor: entry.actor,
        action: entry.action,
        outcome: entry.outcome,
        plan_sha256: entry.planSha256 ?? null,
        dataset_id: entry.datasetId ?? null,
        experiment_id: entry.experimentId ?? null,
        request_id: entry.requestId ?? null,
        detail: entry.detail,
      });
      return { ...entry, id: Number(info.lastInsertRowid), at };
    },
    listAudit(query = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.planSha256 !== undefined) {
        where.push('plan_sha256 = ?');
        params.push(query.planSha256);
      }
      if (query.action !== undefined) {
        where.push('action = ?');
        params.push(query.action);
      }
      const sql =
        `SELECT * FROM audit${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC` +
        (query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '');
      return (db.prepare(sql).all(...params) as AuditRow[]).map(toAudit);
    },
    getState(key) {
      const row = stmt.getState.get(key.experimentId, key.datasetId, key.key) as { value: Buffer } | undefined;
      return row?.value;
    },
    putState(key, value) {
      stmt.putState.run(key.experimentId, key.datasetId, key.key, value, new Date().toISOString());
    },
    listStateKeys(experimentId) {
      return (
        stmt.listStateKeys.all(experimentId) as Array<{ experiment_id: string; dataset_id: string; key: string }>
      ).map((row) => ({ experimentId: row.experiment_id, datasetId: row.dataset_id, key: row.key }));
    },
    getOptimizerState(experimentId, datasetId) {
      return db.transaction(() => {
        const row = stmt.getOptimizerState.get(experimentId, datasetId) as OptimizerStateRow | undefined;
        if (row === undefined) return undefined;
        const slots = (stmt.getOptimizerSlots.all(experimentId, datasetId) as OptimizerSlotRow[]).map((slot) => ({
          name: slot.name,
          shape: JSON.parse(slot.shape) as number[],
          values: blobToFloat32(slot.value),
        }));
        return { fingerprint: row.fingerprint, state: { optimizer: row.optimizer, step: row.step, slots } };
      })();
    },
    putOptimizerState(experimentId, datasetId, { fingerprint, state }) {
      db.transaction(() => {
        stmt.deleteOptimizerState.run(experimentId, datasetId);
        stmt.insertOptimizerState.run(experimentId, datasetId, fingerprint, state.optimizer, state.step, new Date().toISOString());
        state.slots.forEach((slot, position) => {
          stmt.insertOptimizerSlot.run(experimentId, datasetId, position, slot.name, JSON.stringify(slot.shape), float32ToBlob(slot.values));
        });
      })();
    },
    deleteOptimizerState(experimentId, datasetId) {
      return stmt.deleteOptimizerState.run(experimentId, datasetId).changes > 0;
    },
  };
}

interface OptimizerStateRow {
  fingerprint: string;
  optimizer: string;
  step: number;
}

interface OptimizerSlotRow {
  name: string;
  shape: string;
  value: Buffer;
}

function toDataset(row: DatasetRow): DatasetRecord {
  return {
    id: row.id,
    name: row.name,
    dataType: row.data_type,
    path: row.path,
    tags: JSON.parse(row.tags) as string[],
    description: row.description,
    options: JSON.parse(row.options) as Record<string, unknown>,
    featureShape: JSON.parse(row.feature_shape) as number[],
    featureDtypes: JSON.parse(row.feature_dtypes) as string[],
    sampleCount: row.sample_count,
    numClasses: row.num_classes,
    ...(row.missing_values !== null && { missingValues: JSON.parse(row.missing_values) as MissingValueReport }),
    ...(row.target !== null && { target: JSON.parse(row.target) as DatasetTarget }),
    ...(row.fixed_split !== null && { fixedSplit: JSON.parse(row.fixed_split) as FixedSplitSummary }),
    createdAt: row.created_at,
  };
}

function toPlan(row: PlanRow): PlanRecord {
  const approval: PlanApproval =
    row.status === 'pending'
      ? { status: 'pending', notes: row.notes }
      : { status: row.status, by: row.decided_by ?? '', at: row.decided_at ?? '', notes: row.notes };
  return {
    sha256: row.sha256,
    name: row.name,
    kind: row.kind,
    canonicalJson: row.canonical_json,
    approval,
    registeredAt: row.registered_at,
    registeredBy: row.registered_by,
  };
}

function toAudit(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    outcome: row.outcome,
    ...(row.plan_sha256 !== null && { planSha256: row.plan_sha256 }),
    ...(row.dataset_id !== null && { datasetId: row.dataset_id }),
    ...(row.experiment_id !== null && { experimentId: row.experiment_id }),
    ...(row.request_id !== null && { requestId: row.request_id }),
    detail: row.detail,
  };
}
