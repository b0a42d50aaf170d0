// A real node process loads this plug-in (the built package, resolved as an npm dependency) and
// trains a plan using its loss, metric and layer, driven by the researcher SDK over gRPC on
// loopback; a second node, without the plug-in, refuses the plan at approval and at train, naming
// it. Build first: `npx tsc -b tsconfig.build.json`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTransportFederation, Experiment, requestPlanApproval, selectAll, waitForNodes, type ExperimentEvent } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { CLI_BIN, freePort, makeTempDir, runTsDocBlock, writeWdbcSample, type TempDir } from '@fedbiomed/test-utils';
import { buildPlan, pluginItemName, registerPlugin } from '@fedbiomed/training';
import { ResearcherServer } from '@fedbiomed/transport';
import { featureScale, plugin } from './index';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

const PLUGIN = '@fedbiomed/example-loss-plugin@0.1.0';
const TOKEN = 'plugin-token';

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [CLI_BIN, ...args], { encoding: 'utf8' });
}

/** `fedbiomed node init` (with `--plugins` when given) and `dataset add` of WDBC rows tagged `wdbc`, as an operator would. */
function initNode(dir: string, id: string, port: number, csv: string, plugins?: string): void {
  cli('node', '--path', dir, 'init', '--id', id, '--name', id, '--researcher', `127.0.0.1:${port}`, '--token', TOKEN, ...(plugins ? ['--plugins', plugins] : []));
  cli('node', '--path', dir, 'dataset', 'add', '--type', 'csv', '--path', csv, '--tags', 'wdbc', '--options', '{"label":"target","task":"classification"}');
}

function startNode(dir: string, log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [CLI_BIN, 'node', '--path', dir, 'start', '--log-format', 'json'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

describe('a node plug-in through real nodes', () => {
  beforeAll(() => {
    if (!existsSync(CLI_BIN) || !existsSync(join(__dirname, '..', 'dist', 'index.js'))) throw new Error('build first: npx tsc -b tsconfig.build.json');
    registerPlugin(plugin);
  });

  let dir: TempDir;
  let server: ResearcherServer | undefined;
  const nodes: ChildProcess[] = [];

  afterEach(async () => {
    await Promise.all(
      nodes.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        await once(child, 'exit');
      }),
    );
    await server?.stop();
    dir.dispose();
  });

  it('trains with its loss, metric and layer on the node that has it; the node without it refuses naming it', async () => {
    dir = makeTempDir('fedbiomed-plugin-');
    const port = await freePort();
    const csv = writeWdbcSample(join(dir.path, 'wdbc.csv'), 569);
    const withPlugin = join(dir.path, 'with-plugin');
    const without = join(dir.path, 'without');
    initNode(withPlugin, 'hospital-plugin', port, csv, '@fedbiomed/example-loss-plugin');
    initNode(without, 'hospital-bare', port, csv);
    expect(JSON.parse(readFileSync(join(withPlugin, 'config.json'), 'utf8'))).toMatchObject({ plugins: ['@fedbiomed/example-loss-plugin'] });

    server = new ResearcherServer({ port, enrolmentTokens: [TOKEN] });
    await server.start();
    nodes.push(startNode(withPlugin, join(dir.path, 'with-plugin.log')), startNode(without, join(dir.path, 'without.log')));
    await waitForNodes(server, { count: 2, timeoutMs: 60_000 });
    expect(readFileSync(join(withPlugin, 'logs', 'node.log'), 'utf8')).toContain(`plug-in ${PLUGIN} loaded`);

    const model = tf.sequential({
      layers: [featureScale({ name: 'gate', inputShape: [30] }), tf.layers.dense({ name: 'out', units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' })],
    });
    const plan = buildPlan(model, {
      name: 'wdbc-weighted',
      loss: { name: pluginItemName(plugin, 'weighted_bce'), params: { positiveWeight: 2 } },
      optimizer: { name: 'sgd', learningRate: 0.3 },
      metrics: ['loss', 'accuracy', pluginItemName(plugin, 'sensitivity')],
      preprocessing: [{ name: 'standardize', params: { statistics: 'local' } }],
    });
    model.dispose();
    const federation = createTransportFederation(server);

    // The node without the plug-in refuses the approval request, naming package@version.
    const [refused] = await requestPlanApproval(federation, plan.plan, { nodeIds: ['hospital-bare'], timeoutMs: 10_000, experimentId: 'plugin-approval' });
    expect(refused?.message).toContain(`needs the plug-in ${PLUGIN}, not installed here`);
    expect(refused?.message).toContain('"plugins" of config.json');
    expect(JSON.parse(cli('node', '--path', without, 'plan', 'list', '--json'))).toEqual([]);

    // The one with it holds the plan as pending; its operator sees the plug-in and approves.
    const [pending] = await requestPlanApproval(federation, plan.plan, { nodeIds: ['hospital-plugin'], timeoutMs: 10_000, experimentId: 'plugin-approval' });
    expect(pending?.status).toBe('PLAN_STATUS_PENDING');
    const shown = cli('node', '--path', withPlugin, 'plan', 'show', plan.plan.sha256);
    expect(shown).toContain(`Plug-ins: ${PLUGIN} (layers: FeatureScale)`);
    expect(shown).toContain(`Loss: ${PLUGIN}/weighted_bce {"positiveWeight":2}`);
    expect(shown).toMatch(/gate\s+FeatureScale\s+30/);
    cli('node', '--path', withPlugin, 'plan', 'approve', plan.plan.sha256, '--by', 'operator');

    const experiment = new Experiment({
      tags: ['wdbc'],
      plan,
      strategy: new FedAvg(),
      rounds: 3,
      trainingArgs: { numUpdates: 40, batchSize: 16, testRatio: 0.25, testOnGlobalUpdates: true },
      nodeSelection: selectAll(),
      minNodes: 1,
      roundTimeoutMs: 60_000,
      server: federation,
      saveBreakpoints: false,
      seed: 3,
    });
    const events: ExperimentEvent[] = [];
    experiment.subscribe((event) => events.push(event));
    const results = await experiment.run();
    experiment.close();

    // At train, the node without the plug-in refuses each round, naming it; the other trains.
    const dropped = events.filter((e) => e.type === 'node-dropped');
    expect(dropped.length).toBeGreaterThan(0);
    for (const event of dropped) expect(event).toMatchObject({ nodeId: 'hospital-bare', code: 'POLICY_VIOLATION', reason: expect.stringContaining(`needs the plug-in ${PLUGIN}`) });
    const last = results[results.length - 1]!;
    expect(last.nodes.map((n) => n.nodeId)).toEqual(['hospital-plugin']);
    const metrics = last.metricsBefore.values;
    expect(Object.keys(metrics).sort()).toEqual([`${PLUGIN}/sensitivity`, 'accuracy', 'loss'].sort());
    expect(metrics['accuracy']).toBeGreaterThan(0.9);
    expect(metrics[`${PLUGIN}/sensitivity`]).toBeGreaterThan(0.9);
  }, 180_000);

  it('the README example builds a plan listing the plug-in', async () => {
    dir = makeTempDir('fedbiomed-plugin-doc-');
    const { code, stdout, stderr } = await runTsDocBlock('examples/loss-plugin/README.md', 'loss-plugin-example');
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`version: '0.1.0'`);
    expect(stdout).toContain(`Plug-ins: ${PLUGIN} (layers: FeatureScale)`);
    expect(stdout).toContain(`Metrics: loss, accuracy, ${PLUGIN}/sensitivity`);
  });
});
