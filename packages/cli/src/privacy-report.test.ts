import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeTfRecords, TensorBoardEventCodec } from '@fedbiomed/researcher';
import { computeDpEpsilon } from '@fedbiomed/strategy';
import { docBlock, makeTempDir, runTsDocBlock, type TempDir } from '@fedbiomed/test-utils';
import { freePort, initCsvNode, requireBuiltCli, runCliToEnd, startCli, wdbcNodeSpecs, writeDocExperiment, type CliProcess } from './cli-test-support.test.helper';
import { spawnNode, type LocalNodeProcess } from './local-nodes';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

interface Privacy {
  mechanism: string;
  samplingRate: number;
  steps: number;
  delta: number;
  epsilonRound: number;
  epsilonCumulative: number;
  epsilonDataset: number;
  budgetEpsilon?: number;
}
interface Round {
  round: number;
  nodes: { nodeId: string; privacy?: Privacy }[];
  privacy?: { samplingRate: number; noiseMultiplier: number; epsilonRound: number; epsilonCumulative: number };
}

// Everything real: two `fedbiomed node start` processes (one with the privacy budget of
// docs/privacy.md in its config.json), `fedbiomed researcher start --experiment` with the DP-SGD
// experiment file of docs/privacy.md, gRPC on loopback, SQLite ledgers in the node folders.
describe('privacy spent, reported: DP-SGD and server-side DP through the CLI, monitoring files and TensorBoard', () => {
  beforeAll(requireBuiltCli);

  let dir: TempDir;
  const processes: LocalNodeProcess[] = [];
  let researcher: CliProcess | undefined;

  afterAll(async () => {
    researcher?.child.kill('SIGKILL');
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    dir.dispose();
  });

  it('prints ε per round and so far, writes it to metrics.csv/json and TensorBoard, and the node shows what its dataset spent', async () => {
    dir = makeTempDir('fedbiomed-cli-privacy-');
    const { file: experimentFile } = await writeDocExperiment(dir.path, 'docs/privacy.md', 'privacy-experiment-file');
    const port = await freePort();
    const token = 'dp-token';
    const nodes = wdbcNodeSpecs(dir.path, ['a', 'b'], port, token);
    await Promise.all(nodes.map((node) => initCsvNode(node)));
    // Node A's operator sets the budget of docs/privacy.md; both run plans without approval here.
    const budget = JSON.parse(docBlock('docs/privacy.md', 'privacy-node-policy')) as Record<string, unknown>;
    nodes.forEach((node, i) => {
      const file = join(node.dir, 'config.json');
      const config = JSON.parse(readFileSync(file, 'utf8')) as { policy?: Record<string, unknown> };
      config.policy = { ...config.policy, requirePlanApproval: false, ...(i === 0 ? budget : {}) };
      writeFileSync(file, JSON.stringify(config, null, 2));
    });

    const out = join(dir.path, 'out');
    researcher = startCli(['researcher', 'start', '--port', String(port), '--token', token, '--experiment', experimentFile, '--out', out]);
    const logs = join(dir.path, 'logs');
    mkdirSync(logs);
    for (const node of nodes) processes.push(spawnNode(join(__dirname, '..', 'dist', 'bin.js'), node.dir, node.id, logs));
    expect(await researcher.exited).toBe(0);
    const stdout = researcher.stdout();

    const { rounds } = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { rounds: Round[] };
    expect(rounds).toHaveLength(2);
    const privacyOf = (round: Round, nodeId: string): Privacy => round.nodes.find((n) => n.nodeId === nodeId)!.privacy!;
    const a1 = privacyOf(rounds[0]!, 'hospital-a');
    const a2 = privacyOf(rounds[1]!, 'hospital-a');
    const b2 = privacyOf(rounds[1]!, 'hospital-b');
    const epsilon = (samplingRate: number, steps: number) => computeDpEpsilon({ samplingRate, noiseMultiplier: 1.2, steps, delta: 1e-5 }).epsilon;
    expect(a1).toMatchObject({ mechanism: 'sample', steps: 10, delta: 1e-5, budgetEpsilon: 4 });
    expect(a1.epsilonRound).toBeCloseTo(epsilon(a1.samplingRate, 10), 10);
    expect(a2.epsilonCumulative).toBeCloseTo(epsilon(a1.samplingRate, 20), 10);
    expect(b2.budgetEpsilon).toBeUndefined();
    expect(b2.epsilonCumulative).toBeCloseTo(epsilon(b2.samplingRate, 20), 10);
    // Server-side DP: both nodes sampled of two (q = 1), z = 0.5, one release per round.
    const server = (rounds: number) => computeDpEpsilon({ samplingRate: 1, noiseMultiplier: 0.5, steps: rounds, delta: 1e-5 }).epsilon;
    expect(rounds[1]!.privacy).toMatchObject({ samplingRate: 1, noiseMultiplier: 0.5 });
    expect(rounds[1]!.privacy!.epsilonRound).toBeCloseTo(server(1), 10);
    expect(rounds[1]!.privacy!.epsilonCumulative).toBeCloseTo(server(2), 10);

    // The CLI's lines, with the same numbers.
    expect(stdout).toContain(
      `round 2 privacy Hospital A (DP-SGD): ε = ${a2.epsilonRound.toFixed(3)} this round, ${a2.epsilonCumulative.toFixed(3)} so far at δ = 0.00001, dataset ${a2.epsilonDataset.toFixed(3)} of budget 4`,
    );
    expect(stdout).toContain(`round 2 privacy Hospital B (DP-SGD): ε = ${b2.epsilonRound.toFixed(3)} this round, ${b2.epsilonCumulative.toFixed(3)} so far at δ = 0.00001\n`);
    expect(stdout).toContain(`round 2 privacy server-side DP: ε = ${server(1).toFixed(3)} this round, ${server(2).toFixed(3)} so far at δ = 0.00001 (node-level, q = 1.000, z = 0.5)`);

    // metrics.csv: the privacy phase per node, server-side DP under node "*".
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8');
    expect(csv).toContain(`2,hospital-a,Hospital A,privacy,epsilon_cumulative,${a2.epsilonCumulative},`);
    expect(csv).toContain(`2,*,*,privacy,epsilon_cumulative,${rounds[1]!.privacy!.epsilonCumulative},`);

    // TensorBoard scalars.
    const codec = new TensorBoardEventCodec();
    const tensorboard = join(out, 'tensorboard');
    const scalars = readdirSync(tensorboard)
      .filter((file) => file.startsWith('events.out.tfevents.'))
      .flatMap((file) => decodeTfRecords(readFileSync(join(tensorboard, file))).flatMap((record) => codec.decode(record).scalars ?? []));
    const values = (tag: string) => scalars.filter((s) => s.tag === tag).map((s) => s.value);
    expect(values('Hospital A/privacy/epsilon_cumulative')).toEqual([Math.fround(a1.epsilonCumulative), Math.fround(a2.epsilonCumulative)]);
    expect(values('federation/privacy/epsilon_cumulative')).toHaveLength(2);

    // The node's operator sees what the dataset spent of its budget, across the two tasks.
    const show = await runCliToEnd(['node', '--path', nodes[0]!.dir, 'dataset', 'show', (JSON.parse(await runCliToEnd(['node', '--path', nodes[0]!.dir, 'dataset', 'list', '--json'])) as { id: string }[])[0]!.id]);
    expect(show).toContain(`ε = ${Number(a2.epsilonDataset.toPrecision(4))} at δ = 0.00001 over 2 tasks under DP`);
    expect(show).toContain(`privacy remaining  ε = ${Number((4 - a2.epsilonDataset).toPrecision(4))}`);
  }, 180_000);

  it('runs the ε planning snippet of docs/privacy.md', async () => {
    const run = await runTsDocBlock('docs/privacy.md', 'privacy-plan-epsilon');
    expect(run.stderr).toBe('');
    const expected = computeDpEpsilon({ samplingRate: 16 / 427, noiseMultiplier: 1.2, steps: 200, delta: 1e-5 });
    expect(run.stdout).toBe(`ε after 20 rounds: ${expected.epsilon.toFixed(2)} at δ = 1e-5 (best order ${expected.optimalOrder})\n`);
  });
});
