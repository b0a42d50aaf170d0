import { NodeError } from './errors';
import type { AuditEntry, DatasetRecord, NodeRepository, PlanRecord, StateKey, StoredOptimizerState } from './repository';

/**
 * A {@link NodeRepository} held in memory: the same behaviour as the SQLite one (ids unique, plans
 * keep their name and JSON once stored, audit newest first, values copied in and out), without a
 * database file. Virtual nodes of a simulation use it, where a hundred SQLite files would only cost
 * disk and time; nothing survives the process.
 */
export function createMemoryNodeRepository(): NodeRepository {
  const datasets = new Map<string, DatasetRecord>();
  const plans = new Map<string, PlanRecord>();
  const audit: AuditEntry[] = [];
  const state = new Map<string, { key: StateKey; value: Buffer }>();
  const optimizers = new Map<string, StoredOptimizerState>();
  const stateId = (key: StateKey): string => JSON.stringify([key.experimentId, key.datasetId, key.key]);
  const optimizerId = (experimentId: string, datasetId: string): string => JSON.stringify([experimentId, datasetId]);
  const byTime = <T extends { createdAt?: string; registeredAt?: string }>(a: T, b: T, idA: string, idB: string) =>
    (a.createdAt ?? a.registeredAt ?? '').localeCompare(b.createdAt ?? b.registeredAt ?? '') || idA.localeCompare(idB);
  const copyState = (stored: StoredOptimizerState): StoredOptimizerState => ({
    fingerprint: stored.fingerprint,
    state: { ...stored.state, slots: stored.state.slots.map((slot) => ({ name: slot.name, shape: [...slot.shape], values: slot.values.slice() })) },
  });

  return {
    insertDataset(record) {
      if (datasets.has(record.id)) throw new NodeError('INVALID_DATASET', `a dataset with id "${record.id}" is already registered`);
      datasets.set(record.id, record);
    },
    getDataset: (id) => datasets.get(id),
    listDatasets: () => [...datasets.values()].sort((a, b) => byTime(a, b, a.id, b.id)),
    deleteDataset(id) {
      for (const [key, entry] of state) if (entry.key.datasetId === id) state.delete(key);
      for (const key of [...optimizers.keys()]) if ((JSON.parse(key) as string[])[1] === id) optimizers.delete(key);
      return datasets.delete(id);
    },
    transaction: (fn) => fn(),

    getPlan: (sha256) => plans.get(sha256),
    listPlans: () => [...plans.values()].sort((a, b) => byTime(a, b, a.sha256, b.sha256)),
    savePlan(record) {
      const stored = plans.get(record.sha256);
      plans.set(record.sha256, stored === undefined ? record : { ...stored, approval: record.approval });
    },

    appendAudit(entry) {
      const saved: AuditEntry = { ...entry, id: audit.length + 1, at: entry.at ?? new Date().toISOString() };
      audit.push(saved);
      return saved;
    },
    listAudit(query = {}) {
      const matching = audit.filter(
        (entry) => (query.planSha256 === undefined || entry.planSha256 === query.planSha256) && (query.action === undefined || entry.action === query.action),
      );
      const newestFirst = matching.reverse();
      return query.limit === undefined ? newestFirst : newestFirst.slice(0, Math.max(0, Math.floor(query.limit)));
    },

    getState: (key) => state.get(stateId(key))?.value,
    putState(key, value) {
      state.set(stateId(key), { key: { ...key }, value: Buffer.from(value) });
    },
    listStateKeys: (experimentId) =>
      [...state.values()]
        .map((entry) => entry.key)
        .filter((key) => key.experimentId === experimentId)
        .sort((a, b) => a.datasetId.localeCompare(b.datasetId) || a.key.localeCompare(b.key)),

    getOptimizerState(experimentId, datasetId) {
      const stored = optimizers.get(optimizerId(experimentId, datasetId));
      return stored === undefined ? undefined : copyState(stored);
    },
    putOptimizerState(experimentId, datasetId, stored) {
      optimizers.set(optimizerId(experimentId, datasetId), copyState(stored));
    },
    deleteOptimizerState: (experimentId, datasetId) => optimizers.delete(optimizerId(experimentId, datasetId)),
  };
}
