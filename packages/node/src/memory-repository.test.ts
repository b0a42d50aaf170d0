import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { openNodeDatabase, type SqliteDatabase } from './database';
import { createMemoryNodeRepository } from './memory-repository';
import { createNodeRepository, type DatasetRecord, type NodeRepository, type PlanRecord } from './repository';

const dataset = (id: string, createdAt: string): DatasetRecord => ({
  id,
  name: `data ${id}`,
  dataType: 'csv',
  path: `/data/${id}.csv`,
  tags: ['heart', id],
  description: '',
  options: { label: 'y' },
  featureShape: [13],
  featureDtypes: ['float32'],
  sampleCount: 100,
  numClasses: 2,
  createdAt,
});

const plan = (sha256: string, approval: PlanRecord['approval'], name = 'logreg'): PlanRecord => ({
  sha256,
  name,
  kind: 'tfjs-layers',
  canonicalJson: '{}',
  approval,
  registeredAt: '2026-01-01T00:00:00.000Z',
  registeredBy: 'researcher',
});

/** The same operations on either repository, and everything they read back (audit times left out). */
function exercise(repository: NodeRepository): unknown {
  const reads: unknown[] = [];
  repository.insertDataset(dataset('b', '2026-01-02T00:00:00.000Z'));
  repository.insertDataset(dataset('a', '2026-01-02T00:00:00.000Z'));
  repository.insertDataset(dataset('c', '2026-01-01T00:00:00.000Z'));
  reads.push(() => repository.insertDataset(dataset('a', '2026-01-03T00:00:00.000Z')));
  reads.push(repository.listDatasets().map((record) => record.id), repository.getDataset('a'), repository.getDataset('zz'));

  repository.savePlan(plan('p1', { status: 'pending', notes: 'asked' }));
  repository.savePlan(plan('p1', { status: 'approved', by: 'op', at: '2026-01-05T00:00:00.000Z', notes: 'ok' }, 'renamed'));
  reads.push(repository.getPlan('p1'), repository.listPlans().length);

  for (const action of ['train', 'search', 'train']) repository.appendAudit({ actor: 'r', action, outcome: 'done', planSha256: 'p1', detail: action, at: 'now' });
  reads.push(repository.listAudit({ action: 'train' }), repository.listAudit({ limit: 1 }));

  const key = { experimentId: 'e1', datasetId: 'a', key: 'split' };
  const value = Buffer.from('one');
  repository.putState(key, value);
  value.write('two'); // the stored value is a copy
  reads.push(repository.getState(key)?.toString(), repository.getState({ ...key, key: 'none' }));
  repository.putState({ ...key, datasetId: 'b' }, Buffer.from('x'));
  reads.push(repository.listStateKeys('e1'));

  const slot = { name: 'm', shape: [2], values: new Float32Array([1, 2]) };
  repository.putOptimizerState('e1', 'a', { fingerprint: 'f', state: { optimizer: 'adam', step: 3, slots: [slot] } });
  slot.values[0] = 9;
  const stored = repository.getOptimizerState('e1', 'a');
  reads.push(stored?.fingerprint, stored?.state.step, Array.from(stored?.state.slots[0]?.values ?? []));
  reads.push(repository.deleteOptimizerState('e1', 'a'), repository.deleteOptimizerState('e1', 'a'));

  repository.putOptimizerState('e1', 'a', { fingerprint: 'f', state: { optimizer: 'sgd', step: 1, slots: [] } });
  reads.push(repository.deleteDataset('a'), repository.deleteDataset('a'), repository.listStateKeys('e1'), repository.getOptimizerState('e1', 'a'));
  return reads.map((read) => {
    if (typeof read !== 'function') return read;
    try {
      read();
      return 'no error';
    } catch {
      return 'error';
    }
  });
}

describe('createMemoryNodeRepository', () => {
  let tmp: TempDir;
  let db: SqliteDatabase;
  beforeEach(() => {
    tmp = makeTempDir('memory-repository-');
    db = openNodeDatabase(join(tmp.path, 'node.db'));
  });
  afterEach(() => {
    db.close();
    tmp.dispose();
  });

  it('reads back what the SQLite repository reads back, operation for operation', () => {
    const sqlite = exercise(createNodeRepository(db));
    const memory = exercise(createMemoryNodeRepository());
    expect(memory).toEqual(sqlite);
  });
});
