import { join } from 'node:path';
import { createTransportFederation, Experiment } from '@fedbiomed/researcher';
import { createStrategyRegistry } from '@fedbiomed/strategy';
import { buildPlan, loadModel, type MetricName } from '@fedbiomed/training';
import { ResearcherServer, type NodeInfo } from '@fedbiomed/transport';
import { Command, InvalidArgumentError } from 'commander';
import { metricsTable, RoundProgress } from './demo-report';
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
    .option('--port <port>', 'port to bind (0: any free port)', port, 50051)
    .option('--token <token...>', 'enrolment tokens nodes must present (or $FEDBIOMED_ENROLMENT_TOKEN)')
    .option('--experiment <file>', 'experiment file (JSON: tags, rounds, model, plan, strategy, trainingArgs)')
    .option('--out <dir>', 'experiment folder: breakpoints, metrics, model', join('out', 'experiment'))
    .option('--resume', 'continue the experiment from the last breakpoint in --out')
    .option('--tls-cert <file>', "researcher's certificate (PEM): serve TLS (with --tls-key)")
    .option('--tls-key <file>', "researcher's private key (PEM)")
    .option('--tls-ca <file>', "CA (PEM) of the nodes' client certificates: mutual TLS, every node must present one (tokens then optional)")
    .action(async function (this: Command) {
      const o = this.opts<{ host: string; port: number; token?: string[]; experiment?: string; out: string; resume?: boolean; tlsCert?: string; tlsKey?: string; tlsCa?: string }>();
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
        else await runExperimentFile(server, file, o.out, o.resume === true);
      } finally {
        await server.stop();
      }
    });
}

async function runExperimentFile(server: ResearcherServer, file: ExperimentFile, out: string, resume: boolean): Promise<void> {
  await waitForCount(server, file.waitForNodes);
  const experiment = resume
    ? await Experiment.resume(out, { server: createTransportFederation(server) })
    : await createExperiment(server, file, out);
  if (resume) console.log(`resuming experiment ${experiment.id} after round ${experiment.round}`);
  const progress = new RoundProgress(process.stdout, file.rounds);
  experiment.subscribe((event) => progress.onEvent(event));
  const statuses = await experiment.planStatus();
  for (const s of statuses) console.log(`plan ${experiment.plan.sha256.slice(0, 12)}… on ${s.nodeName}: ${s.status}`);
  await experiment.run();
  const evaluation = await experiment.evaluate();
  await experiment.exportModel(join(out, 'model'));
  experiment.close();
  console.log(metricsTable(evaluation, file.plan.metrics));
  console.log(`model saved (tfjs format) in ${join(out, 'model')}`);
}

async function createExperiment(server: ResearcherServer, file: ExperimentFile, out: string): Promise<Experiment> {
  const model = await loadModel(file.model);
  const plan = (() => {
    try {
      return buildPlan(model, { ...file.plan, metrics: file.plan.metrics as MetricName[] });
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
    metrics: file.plan.metrics,
    minNodes: file.minNodes,
    roundTimeoutMs: file.roundTimeoutMs,
    experimentDir: out,
    server: createTransportFederation(server),
    ...(file.seed !== undefined && { seed: file.seed }),
  });
}

function describe(node: NodeInfo): string {
  return `${node.name} (${node.id}) from ${node.peer}`;
}

async function waitForCount(server: ResearcherServer, count: number): Promise<void> {
  const online = (): number => server.nodes().filter((n) => n.state === 'online').length;
  if (online() >= count) return;
  console.log(`waiting for ${count} node(s)…`);
  await new Promise<void>((resolve) => {
    const stop = server.on('nodeOnline', () => {
      if (online() < count) return;
      stop();
      resolve();
    });
  });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number, got "${value}"`);
  return n;
}
