import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DashboardError, serveExperimentFolder } from '@fedbiomed/dashboard';
import { createTransportFederation, describeRoundPrivacy, Experiment, selectFraction, waitForNodes, type ExperimentEvent, type Federation } from '@fedbiomed/researcher';
import { createStrategyRegistry } from '@fedbiomed/strategy';
import { buildPlan, loadModel } from '@fedbiomed/training';
import { hashEnrolmentToken, ResearcherServer, type NodeInfo } from '@fedbiomed/transport';
import { Command, InvalidArgumentError } from 'commander';
import { registerAnalyticsCommand } from './analytics-command';
import { metricsTable, RoundProgress } from './demo-report';
import { portNumber } from './port-option';
import { readExperimentFile, type ExperimentFile } from './researcher-config';
import { loadResearcherTls, plaintextWarning, securityOf } from './researcher-tls';

/**
 * Registers `fedbiomed researcher start`: serve nodes on one port, list them as they come and go,
 * and, given an experiment file, run it and save the model and metrics.
 */
export function registerResearcherCommands(program: Command): void {
  const researcher = program.command('researcher').description('run the researcher: the server nodes connect to, and experiments');
  researcher
    .command('start')
    .description('serve nodes (until SIGINT) or, with --experiment, run an experiment and exit')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind (0: any free port)', portNumber, 50051)
    .option('--token <token...>', 'enrolment tokens nodes must present, or their hashes from `researcher hash-token` (or $FEDBIOMED_ENROLMENT_TOKEN)')
    .option('--experiment <file>', 'experiment file (JSON: tags, rounds, model, plan, strategy, trainingArgs; see the CLI README)')
    .option('--approval-timeout <ms>', "how long to wait for node operators to approve the plan (overrides the file's approvalTimeoutMs)", milliseconds)
    .option('--out <dir>', 'experiment folder: breakpoints, metrics, model', join('out', 'experiment'))
    .option('--resume', 'continue the experiment from the last breakpoint in --out')
    .option('--tls-cert <file>', "researcher's certificate (PEM): serve TLS (with --tls-key)")
    .option('--tls-key <file>', "researcher's private key (PEM)")
    .option('--tls-ca <file>', "CA (PEM) of the nodes' client certificates: mutual TLS, every node must present one (tokens then optional)")
    .action(async function (this: Command) {
      const o = this.opts<{ host: string; port: number; token?: string[]; experiment?: string; approvalTimeout?: number; out: string; resume?: boolean; tlsCert?: string; tlsKey?: string; tlsCa?: string }>();
      const file = o.experiment !== undefined ? readExperimentFile(o.experiment) : undefined;
      const tls = loadResearcherTls({ cert: o.tlsCert, key: o.tlsKey, clientCa: o.tlsCa }, file?.tls);
      const tokens = o.token ?? (process.env['FEDBIOMED_ENROLMENT_TOKEN'] ? [process.env['FEDBIOMED_ENROLMENT_TOKEN']] : undefined);
      if (tokens === undefined && tls?.clientCaPem === undefined) {
        this.error('error: give nodes an enrolment token: --token <token> or $FEDBIOMED_ENROLMENT_TOKEN (or require client certificates with --tls-ca)', { exitCode: 2 });
      }
      if (o.resume === true && file === undefined) this.error('error: --resume needs the --experiment file it continues', { exitCode: 2 });
      const warning = plaintextWarning(o.host, tls);
      if (warning !== undefined) console.warn(warning);
      const server = new ResearcherServer({ host: o.host, port: o.port, enrolmentTokens: tokens, ...(tls && { tls }) });
      const bound = await server.start();
      console.log(`researcher listening on ${o.host}:${bound} (${securityOf(tls)})`);
      server.on('nodeOnline', (node) => console.log(`node online: ${describe(node)}`));
      server.on('nodeOffline', (node) => console.log(`node offline: ${describe(node)} (${node.offlineReason ?? 'disconnected'})`));
      try {
        if (file === undefined) await untilSignal();
        else {
          await runExperimentFile(server, file, {
            out: o.out,
            resume: o.resume === true,
            ...(o.approvalTimeout !== undefined && { approvalTimeoutMs: o.approvalTimeout }),
          });
        }
      } finally {
        await server.stop();
      }
    });
  researcher
    .command('dashboard')
    .description(
      "serve the researcher's dashboard of an experiment folder in the browser (until SIGINT): metric curves per round, per node and " +
        'aggregated, round durations, participation, bytes sent and received, privacy spent; follows an experiment still running',
    )
    .requiredOption('--dir <dir>', 'experiment folder (the --out of `researcher start --experiment`, the experimentDir of an Experiment)')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind (0: any free port)', portNumber, 8484)
    .action(async function (this: Command) {
      const o = this.opts<{ dir: string; host: string; port: number }>();
      const dashboard = await serveExperimentFolder(o.dir, { host: o.host, port: o.port, follow: true, onError: (error) => console.error(`error: ${error.message}`) }).catch(
        (error: unknown) => {
          if (error instanceof DashboardError) this.error(`error: ${error.message}`, { exitCode: 2 });
          throw error;
        },
      );
      console.log(`dashboard of ${o.dir} at ${dashboard.url} (Ctrl-C to stop)`);
      await untilSignal();
      await dashboard.close();
    });
  researcher
    .command('hash-token')
    .description('print the hash (sha256:…) of an enrolment token, to give `researcher start --token` instead of the token itself')
    .argument('[token]', 'the token (default: $FEDBIOMED_ENROLMENT_TOKEN, which keeps it out of the shell history)')
    .action(function (this: Command, token: string | undefined) {
      const secret = token ?? process.env['FEDBIOMED_ENROLMENT_TOKEN'];
      if (secret === undefined || secret === '') this.error('error: give the token as an argument or in $FEDBIOMED_ENROLMENT_TOKEN', { exitCode: 2 });
      console.log(hashEnrolmentToken(secret));
    });
  registerAnalyticsCommand(researcher);
}

async function runExperimentFile(server: ResearcherServer, file: ExperimentFile, run: { out: string; resume: boolean; approvalTimeoutMs?: number }): Promise<void> {
  const { out, resume } = run;
  if (server.nodes().filter((n) => n.state === 'online').length < file.waitForNodes) console.log(`waiting for ${file.waitForNodes} node(s)…`);
  await waitForNodes(server, { count: file.waitForNodes, ...(file.waitForNodesTimeoutMs !== undefined && { timeoutMs: file.waitForNodesTimeoutMs }) });
  const experiment = resume
    ? await Experiment.resume(out, { server: createTransportFederation(server) })
    : await createExperiment(createTransportFederation(server), file, out);
  if (resume) console.log(`resuming experiment ${experiment.id} after round ${experiment.round}`);
  const progress = new RoundProgress(process.stdout, file.rounds);
  experiment.subscribe((event) => {
    const line = approvalLine(event);
    if (line !== undefined) console.log(line);
    if (event.type === 'privacy') for (const privacy of describeRoundPrivacy(event)) console.log(privacy);
    progress.onEvent(event);
  });
  const statuses = await experiment.ensureApproved({
    description: file.description,
    timeoutMs: run.approvalTimeoutMs ?? file.approvalTimeoutMs,
    pollIntervalMs: file.approvalPollIntervalMs,
    minNodes: file.minNodes,
  });
  const approved = statuses.filter((s) => s.status === 'PLAN_STATUS_APPROVED').map((s) => s.nodeName);
  console.log(`plan ${experiment.plan.sha256.slice(0, 12)}… approved on ${approved.join(', ')}: starting ${file.rounds} round(s)`);
  await experiment.run();
  const evaluation = await experiment.evaluate();
  await experiment.exportModel(join(out, 'model'));
  writeFileSync(join(out, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
  experiment.close();
  const metrics = file.trainingArgs.metrics ?? file.plan.metrics;
  console.log(metricsTable(evaluation, metrics));
  console.log(`model saved (tfjs format) in ${join(out, 'model')}; final metrics in ${join(out, 'evaluation.json')}`);
}

/** What the researcher's operator reads while node operators decide. */
function approvalLine(event: ExperimentEvent): string | undefined {
  switch (event.type) {
    case 'approval-pending':
      return (
        `waiting for approval on ${event.nodeName} (${event.nodeId}): plan "${event.planName}" ${event.planSha256.slice(0, 12)}…; ` +
        `its operator runs: fedbiomed node --path <node folder> plan approve ${event.planSha256}`
      );
    case 'approval-granted':
      return `plan approved on ${event.nodeName}`;
    case 'approval-rejected':
      return `plan rejected on ${event.nodeName}${event.message ? ` (${event.message})` : ''}: left out of the experiment`;
    default:
      return undefined;
  }
}

/** The experiment an experiment file describes, over `federation`, saving into `out`. */
export async function createExperiment(federation: Federation, file: ExperimentFile, out: string): Promise<Experiment> {
  const model = await loadModel(file.model);
  const plan = (() => {
    try {
      return buildPlan(model, file.plan);
    } finally {
      model.dispose();
    }
  })();
  return new Experiment({
    tags: file.tags,
    plan,
    strategy: createStrategyRegistry().createStrategy(file.strategy.name, file.strategy.config),
    rounds: file.rounds,
    trainingArgs: file.trainingArgs,
    ...(file.learningRateSchedule !== undefined && { learningRateSchedule: file.learningRateSchedule }),
    metrics: file.trainingArgs.metrics ?? file.plan.metrics,
    minNodes: file.minNodes,
    roundTimeoutMs: file.roundTimeoutMs,
    requestTimeoutMs: file.requestTimeoutMs,
    experimentDir: out,
    server: federation,
    ...(file.nodes !== undefined && { nodes: file.nodes }),
    ...(file.fraction !== undefined && { nodeSelection: selectFraction(file.fraction, { minNodes: file.minNodes }) }),
    ...(file.seed !== undefined && { seed: file.seed }),
  });
}

function describe(node: NodeInfo): string {
  return `${node.name} (${node.id}) from ${node.peer}`;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number of milliseconds, got "${value}"`);
  return n;
}
