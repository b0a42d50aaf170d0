import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveDashboard, type RunningDashboard } from '@fedbiomed/dashboard';
import { HEART_DISEASE_CENTERS } from '@fedbiomed/datasets';
import { createTransportFederation, Experiment, type EvaluationResult } from '@fedbiomed/researcher';
import { FedAvg } from '@fedbiomed/strategy';
import { ResearcherServer, type Logger } from '@fedbiomed/transport';
import { RoundProgress, metricsTable } from './demo-report';
import { buildHeartDiseasePlan } from './heart-disease-plan';
import { approvePlanAsOperator, prepareNodeFolder, spawnNode, waitForNodes, type LocalNodeProcess } from './local-nodes';

/** Display names of the four Fed-Heart-Disease centers, in FLamby's order. */
const HOSPITALS = ['Cleveland Clinic', 'Hungarian Inst. of Cardiology', 'Univ. Hospital Zurich/Basel', 'VA Long Beach'];

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly rounds: number;
  /** Local SGD updates per round. */
  readonly updates: number;
  readonly learningRate: number;
  /** Output folder: the model (tfjs format), metrics and TensorBoard files, node logs. */
  readonly out: string;
  /** Folder holding the Fed-Heart-Disease files. */
  readonly dataDir: string;
  /** The CLI's `bin.js`, started once per node. */
  readonly binPath: string;
  readonly stdout: NodeJS.WriteStream;
  readonly seed: number;
  /** Serve the researcher's dashboard while the federation trains (port 0: any free port); absent: no dashboard. */
  readonly dashboard?: { readonly host: string; readonly port: number };
  /**
   * Keep serving the dashboard after the last round until SIGINT (Ctrl-C): on a fast machine the
   * demo can finish before a browser has opened the address it printed.
   */
  readonly keepDashboard?: boolean;
}

/** What the demo produced. */
export interface DemoSummary {
  readonly evaluation: EvaluationResult;
  readonly modelDir: string;
  readonly experimentDir: string;
}

const METRICS = ['accuracy', 'balanced_accuracy', 'roc_auc', 'loss'] as const;

/**
 * The demo: a researcher server and four node processes on this machine, one per hospital of
 * Fed-Heart-Disease, each with its own node folder, dataset registration and plan approval; then a
 * FedAvg experiment on a logistic regression (watched on the researcher's dashboard, whose address
 * it prints before the nodes start), a table of the final model's metrics per node and
 * overall, and the model saved in tfjs format.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const out = resolve(options.out);
  const logDir = join(out, 'logs');
  const experimentDir = join(out, 'experiment');
  const modelDir = join(out, 'model');
  mkdirSync(logDir, { recursive: true });
  const nodesRoot = mkdtempSync(join(tmpdir(), 'fedbiomed-demo-nodes-'));
  const token = randomBytes(16).toString('hex');
  const server = new ResearcherServer({ enrolmentTokens: [token], heartbeatIntervalMs: 2_000, logger: quietLogger(options.stdout) });
  const processes: LocalNodeProcess[] = [];
  let dashboard: RunningDashboard | undefined;
  let finished = false;
  const say = (line: string): void => {
    options.stdout.write(`${line}\n`);
  };
  try {
    const port = await server.start();
    const address = `127.0.0.1:${port}`;
    say(`researcher listening on ${address}`);
    const plan = buildHeartDiseasePlan({ learningRate: options.learningRate, seed: options.seed });
    const experiment = new Experiment({
      tags: ['heart-disease'],
      plan,
      strategy: new FedAvg(),
      rounds: options.rounds,
      trainingArgs: { numUpdates: options.updates, batchSize: 4, testOnGlobalUpdates: true, testOnLocalUpdates: true },
      metrics: [...METRICS],
      minNodes: 3,
      roundTimeoutMs: 120_000,
      experimentDir,
      server: createTransportFederation(server),
      seed: options.seed,
    });
    if (options.dashboard !== undefined) {
      dashboard = await serveDashboard(experiment, options.dashboard);
      say(`dashboard: ${dashboard.url} (open it in a browser to watch the federation train)`);
    }
    const nodes = HEART_DISEASE_CENTERS.map((center, index) => ({
      dir: join(nodesRoot, center),
      nodeId: `hospital-${center}`,
      nodeName: HOSPITALS[index] ?? center,
      dataset: {
        dataType: 'heart-disease',
        path: options.dataDir,
        options: { center: index },
        tags: ['heart-disease', 'demo'],
        name: `Fed-Heart-Disease, ${center}`,
      },
    }));
    await Promise.all(nodes.map((spec) => prepareNodeFolder(spec, { address, token })));
    for (const spec of nodes) processes.push(spawnNode(options.binPath, spec.dir, spec.nodeId, logDir));
    await waitForNodes(server, nodes.map((n) => n.nodeId), processes, 60_000);
    say(`${nodes.length} hospitals connected: ${nodes.map((n) => n.nodeName).join(', ')}`);

    const progress = new RoundProgress(options.stdout, options.rounds);
    experiment.subscribe((event) => progress.onEvent(event));

    const asked = await experiment.requestApproval('Fed-BioMed TS demo: logistic regression on Fed-Heart-Disease');
    say(`plan ${plan.plan.sha256.slice(0, 12)}… sent for approval: ${asked.map((s) => `${s.nodeName} ${shortStatus(s.status)}`).join(', ')}`);
    for (const spec of nodes) approvePlanAsOperator(spec.dir, plan.plan, `operator of ${spec.nodeName}`);
    const statuses = await experiment.planStatus();
    say(`operators approved it: ${statuses.map((s) => `${s.nodeName} ${shortStatus(s.status)}`).join(', ')}`);

    // Ctrl-C stops after the replies in flight are cancelled; the finally below still cleans up.
    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort(new Error('interrupted (SIGINT)'));
    process.once('SIGINT', onSigint);
    try {
      await experiment.run({ signal: interrupt.signal });
    } finally {
      process.off('SIGINT', onSigint);
    }
    const evaluation = await experiment.evaluate();
    await experiment.exportModel(modelDir);
    experiment.close();
    say('\nfinal global model on each hospital’s held-out test set (FLamby split):');
    say(metricsTable(evaluation, METRICS));
    say(`model saved (tfjs format) in ${modelDir}`);
    say(`metrics (CSV, JSON, TensorBoard, round events) in ${experimentDir}`);
    say(`dashboard of this run, any time: fedbiomed researcher dashboard --dir ${experimentDir}`);
    finished = true;
    return { evaluation, modelDir, experimentDir };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await server.stop();
    rmSync(nodesRoot, { recursive: true, force: true });
    if (finished && dashboard !== undefined && options.keepDashboard === true) {
      say(`dashboard still served at ${dashboard.url}: press Ctrl-C to stop`);
      await new Promise((resolveOnSigint) => process.once('SIGINT', resolveOnSigint));
    }
    await dashboard?.close();
  }
}

function shortStatus(status: string): string {
  return status.replace(/^PLAN_STATUS_/, '').toLowerCase();
}

/** Transport warnings go to the terminal only when they matter to the user (errors). */
function quietLogger(out: NodeJS.WriteStream): Logger {
  const silent = (): void => undefined;
  return {
    debug: silent,
    info: silent,
    warn: silent,
    error: (fields, message) => {
      out.write(`transport error: ${message ?? ''} ${JSON.stringify(fields)}\n`);
    },
  };
}
