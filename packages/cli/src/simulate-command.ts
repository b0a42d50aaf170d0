import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Simulation, SIMULATION_ROUND_TIMEOUT_MS, WorkerSimulation, type SimulationRunner } from '@fedbiomed/simulation';
import { selectBackend } from '@fedbiomed/training';
import { Command, InvalidArgumentError, Option } from 'commander';
import { metricsTable, RoundProgress } from './demo-report';
import { integer, positiveInteger, positiveNumber } from './option-parsers';
import { readExperimentFile, type ExperimentFile } from './researcher-config';
import { createExperiment } from './researcher-commands';
import { buildSimulatedNodes, PARTITIONS, type DataSpec, type SimulateNodesArgs } from './simulate-nodes';

/** The nodes module each worker thread imports under --workers (compiled: from `src` in tests and `dist` alike). */
const NODES_MODULE = join(__dirname, '..', 'dist', 'simulate-nodes.js');

/**
 * Registers `fedbiomed simulate`: the experiment file `researcher start --experiment` takes, run over
 * virtual nodes in this process (no node processes, no gRPC, no node databases), built from one
 * dataset cut by a partitioner or from one dataset per node.
 */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run an experiment file over virtual nodes in this process: one dataset partitioned across --nodes nodes, or one node per --data')
    .requiredOption('--experiment <file>', 'experiment file (JSON), as `researcher start --experiment` takes; its tags are given to every virtual dataset')
    .requiredOption(
      '--data <type:path[:options]>',
      'dataset as `node dataset add` takes it: type, path and optional JSON options, e.g. csv:data.csv:{"target":"y"} (repeat for one node per dataset)',
      collectData,
    )
    .option('--nodes <count>', 'cut the one --data dataset across this many virtual nodes', positiveInteger)
    .addOption(new Option('--partition <scheme>', 'how --nodes share the samples').choices(PARTITIONS).default('iid'))
    .option('--classes-per-node <k>', 'label-skew: classes (shards) per node, as McMahan et al.', positiveInteger, 2)
    .option('--alpha <a>', 'dirichlet and quantity-skew: concentration α (small: skewed)', positiveNumber, 0.5)
    .option('--min-partition-size <n>', 'dirichlet and quantity-skew: redraw until every node holds at least n samples', positiveInteger, 1)
    .option('--seed <seed>', "seed of the partition and of the experiment (default: the file's seed, else 0)", integer)
    .option('--concurrency <n>', 'virtual nodes training at once on this thread (1: deterministic and lightest)', positiveInteger, 1)
    .option('--workers <n>', 'spread the virtual nodes over this many worker threads, to train on n cores (same weights as without)', positiveInteger)
    .option('--out <dir>', 'experiment folder: breakpoints, metrics, model, evaluation.json', 'out/simulation')
    .option('--rounds <n>', "rounds to run in all (default: the file's); a run can stop early and --resume later", positiveInteger)
    .option('--state-dir <dir>', "keep the virtual nodes' registries (audit, error feedback, privacy spent) in SQLite files there, so --resume carries them over")
    .option('--resume', 'go on from the last breakpoint in --out: same --data, partition and seed, and the --state-dir of the stopped run')
    .action(async function (this: Command) {
      const o = this.opts<{
        experiment: string;
        data: DataSpec[];
        nodes?: number;
        partition: (typeof PARTITIONS)[number];
        classesPerNode: number;
        alpha: number;
        minPartitionSize: number;
        seed?: number;
        concurrency: number;
        workers?: number;
        out: string;
        rounds?: number;
        stateDir?: string;
        resume?: boolean;
      }>();
      if (o.nodes !== undefined && o.data.length !== 1) this.error(`error: --nodes cuts one dataset; ${o.data.length} --data were given`, { exitCode: 2 });
      const file = readExperimentFile(o.experiment);
      const seed = o.seed ?? file.seed ?? 0;
      const backend = await selectBackend();
      console.log(`training backend: ${backend.reason}`);
      const nodesArgs: SimulateNodesArgs = { data: o.data, partition: o.partition, classesPerNode: o.classesPerNode, alpha: o.alpha, minPartitionSize: o.minPartitionSize, seed, tags: file.tags, ...(o.nodes !== undefined && { nodes: o.nodes }) };
      const stateDir = o.stateDir !== undefined ? { stateDir: resolve(o.stateDir) } : {};
      let simulation: SimulationRunner & { close(): void | Promise<void> };
      if (o.workers !== undefined) {
        const spread = await WorkerSimulation.start({ nodesModule: NODES_MODULE, args: nodesArgs, workers: o.workers, ...stateDir });
        console.log(`${spread.nodeIds.length} virtual node(s) on ${o.workers} worker thread(s)`);
        simulation = spread;
      } else {
        const { nodes, partition } = await buildSimulatedNodes(nodesArgs);
        const inThread = new Simulation({ nodes, concurrency: o.concurrency, ...stateDir }, partition);
        console.log(describeNodes(inThread));
        simulation = inThread;
      }
      // Virtual nodes train one after another: the file's round deadline, meant for nodes training side by side, would cut the last ones.
      const rounds = o.rounds ?? file.rounds;
      try {
        await runSimulation(simulation, { ...file, seed, rounds, roundTimeoutMs: SIMULATION_ROUND_TIMEOUT_MS }, { out: resolve(o.out), resume: o.resume === true });
      } finally {
        await simulation.close();
      }
    });
}

async function runSimulation(simulation: SimulationRunner, file: ExperimentFile, run: { out: string; resume: boolean }): Promise<void> {
  const { out, resume } = run;
  const experiment = resume ? await simulation.resumeExperiment(out, { rounds: file.rounds }) : await createExperiment(simulation.federation, file, out);
  if (resume) console.log(`resuming experiment ${experiment.id} after round ${experiment.round} of ${file.rounds}`);
  const progress = new RoundProgress(process.stdout, file.rounds);
  experiment.subscribe((event) => {
    progress.onEvent(event);
    if (event.type === 'round-completed' && process.stdout.isTTY !== true) console.log(`round ${event.result.round}/${file.rounds} done`);
  });
  await experiment.run();
  const evaluation = await experiment.evaluate();
  await experiment.exportModel(resolve(out, 'model'));
  writeFileSync(resolve(out, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
  experiment.close();
  console.log(metricsTable(evaluation, file.trainingArgs.metrics ?? file.plan.metrics));
  console.log(`simulated ${simulation.federation.listNodes().length} node(s); model saved (tfjs format) in ${resolve(out, 'model')}; final metrics in ${resolve(out, 'evaluation.json')}`);
}

function describeNodes(simulation: Simulation): string {
  const sizes = simulation.nodes.map(({ node }) => node.datasets.list()[0]?.sampleCount ?? 0);
  const classes = simulation.partition?.histograms.map((h) => h.filter((count) => count > 0).length);
  const classLine = classes === undefined ? '' : `, classes per node ${Math.min(...classes)}-${Math.max(...classes)}`;
  return `${simulation.nodes.length} virtual node(s), samples per node ${Math.min(...sizes)}-${Math.max(...sizes)}${classLine}`;
}

/** Parses `type:path` or `type:path:{json}` (the options start at the first `:{`). */
export function parseDataSpec(value: string): DataSpec {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new InvalidArgumentError(`expected type:path[:{json options}], got "${value}"`);
  const type = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  const optionsAt = rest.indexOf(':{');
  if (optionsAt < 0) return { type, path: rest, options: {} };
  let options: unknown;
  try {
    options = JSON.parse(rest.slice(optionsAt + 1));
  } catch (error) {
    throw new InvalidArgumentError(`the options of "${value}" are not valid JSON: ${(error as Error).message}`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(`the options of "${value}" must be a JSON object`);
  return { type, path: rest.slice(0, optionsAt), options: options as Record<string, unknown> };
}

function collectData(value: string, previous: DataSpec[] | undefined): DataSpec[] {
  return [...(previous ?? []), parseDataSpec(value)];
}
