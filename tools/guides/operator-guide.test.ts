// Runs docs/guides/operator.md as a hospital's operator would, on loopback: the built CLI (`npx tsc
// -b tsconfig.build.json` first), a real node process with its SQLite registry, and a real
// researcher process (started by the test: the researcher's side is not the operator's guide) whose
// experiment waits for the operator's approval.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, freePort, openGuide, type Guide } from '@fedbiomed/test-utils';

const GUIDE = 'docs/guides/operator.md';

/** What a researcher sends: a logistic regression on the 13 heart-disease features. */
function writeExperiment(dir: string): string {
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', "import * as tf from '@tensorflow/tfjs'; import { saveModel } from '@fedbiomed/training'; await saveModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [13], units: 1, activation: 'sigmoid' })] }), 'researcher-model');"],
    { cwd: dir },
  );
  const file = join(dir, 'experiment.json');
  const plan = { name: 'heart-logistic', loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.05 }, metrics: ['accuracy'] };
  writeFileSync(file, JSON.stringify({ tags: ['heart'], rounds: 2, model: 'researcher-model', plan, trainingArgs: { numUpdates: 10, batchSize: 8 }, approvalPollIntervalMs: 300 }));
  return file;
}

describe(GUIDE, () => {
  let guide: Guide;
  let port: number;
  let guiPort: number;

  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    port = await freePort();
    guiPort = await freePort();
    guide = openGuide(GUIDE, { substitutions: { '50051': String(port), '8484': String(guiPort) } });
  });
  afterAll(() => guide.dispose());

  it('sets up a node, registers datasets, approves a researcher\'s plan, watches it train, audits and upgrades', async () => {
    const init = await guide.run('op-init');
    expect(JSON.parse(init.stdout.slice(init.stdout.indexOf('{')))).toMatchObject({ nodeId: 'hospital-a', policy: { requirePlanApproval: true, minSamplesPerDataset: 20 } });
    const added = await guide.run('op-dataset-add');
    expect(added.stdout).toMatch(/303 samples/);
    expect(added.stdout).toMatch(/breast-cancer/);
    const shown = await guide.run('op-dataset-show');
    expect(shown.stdout).toMatch(/569/);
    expect(execFileSync(process.execPath, [CLI_BIN, 'node', '--path', join(guide.dir, 'hospital'), 'dataset', 'list'], { encoding: 'utf8' })).not.toMatch(/breast-cancer/);

    const node = guide.start('op-start');
    await node.waitFor(/unreachable \(ECONNREFUSED\); retry \d+ in [\d.]+ s/, 30_000); // no researcher yet: it says what it waits for
    const second = await guide.run('op-second-start');
    expect(second.stderr).toMatch(/already in use by pid \d+/);
    expect(second.stdout).toContain('refused: this folder already runs a node');

    const researcher = spawn(process.execPath, [CLI_BIN, 'researcher', 'start', '--port', String(port), '--token', 's3cret', '--experiment', writeExperiment(guide.dir), '--out', join(guide.dir, 'researcher-out')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let researcherOutput = '';
    researcher.stdout.on('data', (chunk: Buffer) => (researcherOutput += chunk.toString()));
    researcher.stderr.on('data', (chunk: Buffer) => (researcherOutput += chunk.toString()));
    const researcherExit = new Promise<number | null>((resolve) => researcher.once('close', resolve));
    try {
      await node.waitFor(/asks to approve plan "heart-logistic" \([0-9a-f]{64}\); to approve: fedbiomed node --path \S*hospital plan approve [0-9a-f]{12}/, 90_000);
      const approved = await guide.run('op-approve');
      expect(approved.stdout).toMatch(/heart-logistic/);
      expect(approved.stdout).toMatch(/\) is approved/);
      await node.waitFor(/plan "heart-logistic" \([0-9a-f]{12}\) approved by alice: reviewed with the DPO/, 30_000);
      await node.waitFor(/trained round 2 of experiment/, 90_000);
      expect(await researcherExit).toBe(0);
    } finally {
      researcher.kill();
    }
    expect(researcherOutput).toMatch(/Hospital A/);

    const audit = await guide.run('op-audit');
    expect(audit.stdout).toMatch(/plan\.approve/);
    expect(audit.stdout).toMatch(/alice/);
    expect(() => audit.stdout.trim().split('\n').slice(-2).forEach((line) => JSON.parse(line))).not.toThrow();

    expect(await node.stop()).toBe(0);
    await guide.run('op-backup');
    const after = await guide.run('op-after-upgrade');
    expect(after.stdout).toMatch(/heart/);
    expect(after.stdout).toMatch(/heart-logistic/);

    writeFileSync(join(guide.dir, 'ada.txt'), 'ada passphrase one\n');
    writeFileSync(join(guide.dir, 'olivia.txt'), 'olivia passphrase two\n');
    const users = await guide.run('op-gui-users');
    expect(users.stdout).toMatch(/ada\tadmin/);
    expect(users.stdout).toMatch(/olivia\toperator/);
    const gui = guide.start('op-gui');
    await gui.waitFor(`node GUI of Hospital A at http://127.0.0.1:${guiPort}`, 60_000);
    const login = await fetch(`http://127.0.0.1:${guiPort}/login`);
    expect(login.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${guiPort}/api/plans`)).status).toBe(401);
    expect(await gui.stop()).toBe(0);
    guide.finish();
  }, 300_000);
});
