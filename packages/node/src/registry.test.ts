import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, bundledDataset, type TempDir, writeWdbcSample } from '@fedbiomed/test-utils';
import { NodeError } from './errors';
import { createNode, openNode, type Node } from './node';
import { initNodeFolder } from './node-folder';
import { logisticPlan, mlpPlan, WDBC_CSV_OPTIONS, writeWdbcSlices } from './testing/fixtures';

describe('dataset and plan registries', () => {
  let tmp: TempDir;
  let node: Node;
  const open = (policy: Record<string, unknown> = {}): Node => {
    const dir = join(tmp.path, `node-${Math.random().toString(36).slice(2)}`);
    return createNode({ dir, config: initNodeFolder(dir, { nodeId: 'n1', policy }) });
  };
  beforeEach(() => {
    tmp = makeTempDir('fedbiomed-node-registry-');
    node = open();
  });
  afterEach(() => {
    node.close();
    tmp.dispose();
  });

  it('registers a CSV after validating it, with its shape, count and dtypes', async () => {
    const [file] = writeWdbcSlices(tmp.path, 1);
    const record = await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice');
    expect(record).toMatchObject({ sampleCount: 569, featureShape: [30], numClasses: 2, featureDtypes: ['float32'], tags: ['wdbc'] });
    expect(node.datasets.get(record.id)).toEqual(record);
    expect(node.datasets.search(['wdbc']).map((d) => d.id)).toEqual([record.id]);
    expect(node.audit({ action: 'dataset.add' })[0]).toMatchObject({ actor: 'alice', datasetId: record.id });
  });

  it('registers the heart-disease recipe for one center', async () => {
    const record = await node.datasets.add(
      { dataType: 'heart-disease', path: bundledDataset('heart_disease'), tags: ['heart', 'center-1'], options: { center: 1 } },
      'alice',
    );
    expect(record).toMatchObject({ sampleCount: 261, featureShape: [13] });
  });

  it('refuses tags equal to, contained in or containing another dataset\'s', async () => {
    const [a, b] = writeWdbcSlices(tmp.path, 2);
    await node.datasets.add({ dataType: 'csv', path: a!, tags: ['wdbc', 'site-a'], options: WDBC_CSV_OPTIONS }, 'alice');
    for (const tags of [['site-a', 'wdbc'], ['wdbc'], ['wdbc', 'site-a', 'extra']]) {
      await expect(node.datasets.add({ dataType: 'csv', path: b!, tags, options: WDBC_CSV_OPTIONS }, 'alice')).rejects.toMatchObject({
        code: 'TAG_CONFLICT',
      });
    }
    await node.datasets.add({ dataType: 'csv', path: b!, tags: ['wdbc', 'site-b'], options: WDBC_CSV_OPTIONS }, 'alice');
    expect(node.datasets.list()).toHaveLength(2);
  });

  it('registers nothing when the data is invalid, and names the row at fault', async () => {
    const bad = join(tmp.path, 'bad.csv');
    writeFileSync(bad, '1,2,0\n3,x,1\n4,5,0\n6,7,1\n');
    const error = await node.datasets.add({ dataType: 'csv', path: bad, tags: ['bad'], options: { header: false, label: 2 } }, 'alice').catch((e) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error.code).toBe('INVALID_DATASET');
    expect(error.message).toMatch(/row 2/);
    await expect(node.datasets.add({ dataType: 'nope', path: bad, tags: ['x'], options: {} }, 'alice')).rejects.toThrow(
      'unknown dataset type "nope"; adapters: csv, images, medical-folder, mnist; recipes: heart-disease, mednist, pseudo-adni, wdbc',
    );
    expect(node.datasets.list()).toEqual([]);
  });

  it('stores what the missing-value policy did with the dataset, in SQLite, beside its shape', async () => {
    const file = writeWdbcSample(join(tmp.path, 'gap.csv'), 190, (rows) => (rows[56]![3] = ''));
    const refused = await node.datasets.add({ dataType: 'csv', path: file, tags: ['refused'], options: { label: 'target' } }, 'alice').catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'INVALID_DATASET' });
    expect((refused as Error).message).toContain('1 of 190 rows have a missing value');
    expect((refused as Error).message).toContain('row 58, column "f3"');

    const record = await node.datasets.add({ dataType: 'csv', path: file, tags: ['gap'], options: { label: 'target', missing: 'drop' } }, 'alice');
    expect(record.sampleCount).toBe(189);
    expect(record.missingValues).toMatchObject({ policy: 'drop', rows: 190, droppedRows: 1, imputedCells: 0 });
    const heart = await node.datasets.add({ dataType: 'heart-disease', path: bundledDataset('heart_disease'), tags: ['heart'], options: { center: 1 } }, 'alice');
    expect(heart.missingValues).toMatchObject({ policy: 'drop', rows: 294, droppedRows: 33 });
    const dir = node.paths.root;
    node.close();
    node = openNode(dir); // a fresh connection: the report comes back from the SQLite file

    expect(node.datasets.get(record.id)).toEqual(record);
    expect(node.datasets.get(heart.id).missingValues).toEqual(heart.missingValues);
  });

  it('removes a dataset; an unknown id is an error', async () => {
    const [file] = writeWdbcSlices(tmp.path, 1);
    const record = await node.datasets.add({ dataType: 'csv', path: file!, tags: ['wdbc'], options: WDBC_CSV_OPTIONS }, 'alice');
    node.datasets.remove(record.id, 'alice');
    expect(node.datasets.list()).toEqual([]);
    expect(() => node.datasets.remove(record.id, 'alice')).toThrow(expect.objectContaining({ code: 'DATASET_NOT_FOUND' }));
  });

  it('plans: submitted as pending, approved and rejected by hash or prefix, each step audited', () => {
    const { plan } = logisticPlan(30);
    const submitted = node.plans.submit(plan, { by: 'researcher-1', notes: 'WDBC study' });
    expect(submitted.approval).toEqual({ status: 'pending', notes: 'WDBC study' });
    const approved = node.plans.approve(plan.sha256.slice(0, 10), { by: 'alice', notes: 'reviewed' });
    expect(approved.approval).toMatchObject({ status: 'approved', by: 'alice', notes: 'reviewed' });
    const rejected = node.plans.reject(plan.sha256, { by: 'bob' });
    expect(rejected.approval).toMatchObject({ status: 'rejected', by: 'bob' });
    expect(node.audit({ planSha256: plan.sha256 }).map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'plan.reject:rejected',
      'plan.approve:approved',
      'plan.submit:pending',
    ]);
    expect(() => node.plans.approve('0'.repeat(64), { by: 'alice' })).toThrow(expect.objectContaining({ code: 'PLAN_NOT_FOUND' }));
  });

  it('plans with a wrong hash or JSON out of canonical form are refused', () => {
    const { plan } = logisticPlan(30);
    expect(() => node.plans.submit({ ...plan, sha256: 'f'.repeat(64) }, { by: 'r' })).toThrow(/hashes to/);
    expect(() => node.plans.submit({ ...plan, canonicalJson: `${plan.canonicalJson} ` }, { by: 'r' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PLAN' }),
    );
    expect(node.plans.list()).toEqual([]);
  });

  it('auto-approves plans whose layers are all on the allow-list, and only those', () => {
    node.close();
    node = open({ autoApproveLayers: ['Dense'] });
    expect(node.plans.submit(logisticPlan(30).plan, { by: 'r' }).approval).toMatchObject({ status: 'approved', by: 'policy:auto-approve' });
    expect(node.plans.submit(mlpPlan(30).plan, { by: 'r' }).approval.status).toBe('pending');
  });
});
