import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeTfRecords, TensorBoardEventCodec } from '@fedbiomed/researcher';
import { makeTempDir } from '@fedbiomed/test-utils';
import { loadModel } from '@fedbiomed/training';
import { requireBuiltCli, startCli } from './cli-test-support.test.helper';

// tfjs's own switch for tests: no "install tfjs-node" banner in the test output.
tf.env().set('IS_TEST', true);

describe('fedbiomed demo (spawned CLI, 4 node processes)', () => {
  beforeAll(requireBuiltCli);

  it('trains on the 4 hospitals, prints the metrics table and saves a loadable tfjs model', async () => {
    const out = makeTempDir('fedbiomed-demo-test-');
    try {
      const demo = startCli(['demo', '--rounds', '2', '--updates', '20', '--out', out.path]);
      const code = await demo.exited;
      const stdout = demo.stdout();
      expect({ code, stderr: demo.stderr() }).toEqual({ code: 0, stderr: '' });

      expect(stdout).toContain('4 hospitals connected');
      expect(stdout).toMatch(/round 1\/2: 4 nodes/);
      expect(stdout).toMatch(/round 2\/2: 4 nodes/);
      for (const hospital of ['Cleveland Clinic', 'Hungarian Inst. of Cardiology', 'Univ. Hospital Zurich/Basel', 'VA Long Beach']) {
        expect(stdout).toMatch(new RegExp(`│ ${hospital.replace(/[./]/g, '\\$&')} +│ \\d+ +│ 0\\.\\d{4}`));
      }
      // 104 + 89 + 16 + 45 test samples: FLamby's split of the 740 usable rows.
      const overall = /│ overall \(sample-weighted\) +│ 254 +│ (0\.\d{4})/.exec(stdout);
      expect(Number(overall?.[1])).toBeGreaterThan(0.5);
      // roc_auc pooled from the hospitals' score histograms, under the roc_auc column only.
      const pooled = /│ overall \(pooled score bins\) +│ 254 +│ - +│ - +│ (0\.\d{4}) +│ - +│/.exec(stdout);
      expect(Number(pooled?.[1])).toBeGreaterThan(0.5);

      const modelJson = JSON.parse(readFileSync(join(out.path, 'model', 'model.json'), 'utf8'));
      expect(modelJson.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(['logistic/kernel', 'logistic/bias']);
      const model = await loadModel(join(out.path, 'model'));
      expect(model.outputs[0]?.shape).toEqual([null, 1]);
      model.dispose();
      expect(readFileSync(join(out.path, 'experiment', 'metrics.csv'), 'utf8')).toContain('2,*,*,global,accuracy,');
    } finally {
      out.dispose();
    }
  }, 180_000);

  it('run again into the same folder, leaves one TensorBoard event file whose tags name hospitals as the report does', async () => {
    const out = makeTempDir('fedbiomed-demo-rerun-');
    const tensorboard = join(out.path, 'experiment', 'tensorboard');
    try {
      for (let run = 0; run < 2; run += 1) {
        const demo = startCli(['demo', '--rounds', '1', '--updates', '5', '--out', out.path]);
        expect({ code: await demo.exited, stderr: demo.stderr() }).toEqual({ code: 0, stderr: '' });
      }
      const files = readdirSync(tensorboard);
      expect(files).toHaveLength(1);
      const codec = new TensorBoardEventCodec();
      const tags = decodeTfRecords(readFileSync(join(tensorboard, files[0]!))).flatMap((r) => (codec.decode(r).scalars ?? []).map((s) => s.tag));
      // One round: the second run's record only, not one per run.
      expect(tags.filter((tag) => tag === 'Cleveland Clinic/global/accuracy')).toHaveLength(1);
      // Streamed training scalars go by the hospital's name too, never by its node id.
      expect(tags.filter((tag) => tag.startsWith('Cleveland Clinic/') && tag !== 'Cleveland Clinic/global/accuracy').length).toBeGreaterThan(0);
      expect(tags.filter((tag) => tag.startsWith('hospital-'))).toEqual([]);
      const csv = readFileSync(join(out.path, 'experiment', 'metrics.csv'), 'utf8');
      expect(csv).toContain(',hospital-cleveland,Cleveland Clinic,global,accuracy,');
    } finally {
      out.dispose();
    }
  }, 180_000);
});

