import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { freePort, initCsvNode, pendingPlans, requireBuiltCli, runCliToEnd, startCli, until, wdbcNodeSpecs, writeDocExperiment, type CliProcess } from './cli-test-support.test.helper';
import { spawnNode, type LocalNodeProcess } from './local-nodes';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

// Everything real: node folders made by `fedbiomed node init` and `dataset add`, three
// `fedbiomed node start` processes, `fedbiomed researcher start --experiment` as a process, gRPC on
// loopback, and the operators' approvals through `fedbiomed node plan approve`.
describe('fedbiomed researcher start --experiment (spawned CLI, WDBC on three nodes that require approval)', () => {
  beforeAll(requireBuiltCli);

  let dir: TempDir;
  const processes: LocalNodeProcess[] = [];
  let researcher: CliProcess | undefined;

  afterEach(async () => {
    researcher?.child.kill('SIGKILL');
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    dir.dispose();
  });

  it('waits for each operator, starts once all approved, and reaches ≥ 0.95 test accuracy', async () => {
    dir = makeTempDir('fedbiomed-cli-experiment-');
    // The experiment file of the CLI README, with its model folder beside it.
    const { file: experimentFile, experiment } = await writeDocExperiment(dir.path, 'packages/cli/README.md', 'cli-experiment-file');
    const port = await freePort();
    const token = 'wdbc-token';
    const nodes = wdbcNodeSpecs(dir.path, ['a', 'b', 'c'], port, token);
    expect(experiment.nodes).toEqual(nodes.map((n) => n.id));
    await Promise.all(nodes.map((node) => initCsvNode(node)));

    const out = join(dir.path, 'out');
    researcher = startCli(['researcher', 'start', '--port', String(port), '--token', token, '--experiment', experimentFile, '--out', out, '--approval-timeout', '60000']);
    const logs = join(dir.path, 'logs');
    mkdirSync(logs);
    for (const node of nodes) processes.push(spawnNode(join(__dirname, '..', 'dist', 'bin.js'), node.dir, node.id, logs));

    // Each node holds the plan as pending, and the researcher says who must approve it and how.
    await until(() => (researcher!.stdout().match(/waiting for approval on /g) ?? []).length === 3, 'the three "waiting for approval" lines', 40_000);
    const pending = await Promise.all(nodes.map((node) => pendingPlans(node.dir)));
    const hash = pending[0]![0]!.sha256;
    expect(pending.map((plans) => plans.map((p) => [p.sha256, p.name]))).toEqual(nodes.map(() => [[hash, 'wdbc-logistic']]));
    for (const node of nodes) {
      expect(researcher.stdout()).toContain(
        `waiting for approval on ${node.name} (${node.id}): plan "wdbc-logistic" ${hash.slice(0, 12)}…; its operator runs: fedbiomed node --path <node folder> plan approve ${hash}`,
      );
    }
    // Nothing trains while operators have not decided.
    expect(researcher.stdout()).not.toMatch(/round \d/);

    await Promise.all(nodes.map((node) => runCliToEnd(['node', '--path', node.dir, 'plan', 'approve', hash, '--by', `operator of ${node.name}`])));

    expect(await researcher.exited).toBe(0);
    const stdout = researcher.stdout();
    for (const node of nodes) expect(stdout).toContain(`plan approved on ${node.name}`);
    expect(stdout).toContain(`approved on Hospital A, Hospital B, Hospital C: starting 5 round(s)`);
    expect(stdout.indexOf('starting 5 round(s)')).toBeGreaterThan(stdout.lastIndexOf('plan approved on'));
    expect(stdout).toMatch(/round 5\/5: 3 nodes/);
    const evaluation = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8')) as {
      nodes: { nodeId: string }[];
      metrics: { values: { accuracy: number }; sampleCount: number };
    };
    expect(evaluation.nodes.map((n) => n.nodeId)).toEqual(nodes.map((n) => n.id));
    expect(evaluation.metrics.values.accuracy).toBeGreaterThanOrEqual(0.95);
    // Each node's audit: the approval request left the plan pending, the operator approved it, then it trained.
    const audit = JSON.parse(await runCliToEnd(['node', '--path', nodes[0]!.dir, 'audit', 'list', '--plan', hash, '--json'])) as { action: string; outcome: string; detail: string }[];
    const actions = audit.map((e) => `${e.action} ${e.outcome}`).reverse();
    expect(actions.indexOf('plan.submit pending')).toBeLessThan(actions.findIndex((a) => a.startsWith('plan.approve')));
    expect(actions.findIndex((a) => a.startsWith('plan.approve'))).toBeLessThan(actions.findIndex((a) => a.startsWith('train')));
    // The file's learningRateSchedule (halved every 2 rounds from the plan's 0.3) is what each node trained with.
    const trained = audit.filter((e) => e.action === 'train' && e.outcome === 'done').reverse();
    expect(trained.map((e) => e.detail.match(/round (\d+): .*sgd learning rate ([\d.]+); protection: plain$/)?.slice(1).map(Number))).toEqual([
      [1, 0.3],
      [2, 0.3],
      [3, 0.15],
      [4, 0.15],
      [5, 0.075],
    ]);
  }, 120_000);
});
