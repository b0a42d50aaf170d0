import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { describeFixedSplit, describeMissingValues, describeTarget } from '@fedbiomed/datasets';
import {
  CONSOLE_LOG_FORMATS,
  datasetTypes,
  defaultConsoleLogFormat,
  initNodeFolder,
  loadNodePlugins,
  NodeError,
  openNode,
  resolveNodeDir,
  startNode,
  describePlan,
  type AuditEntry,
  type ConsoleLogFormat,
  type DatasetRecord,
  type InitNodeOptions,
  type PlanRecord,
  type PrivacyStanding,
  type RunningNode,
} from '@fedbiomed/node';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { registerGuiCommands } from './gui-commands';
import { withNode } from './with-node';

/**
 * Registers `fedbiomed node …`: init, dataset, plan, audit and start. Each verb opens the node
 * folder, calls one function of `@fedbiomed/node` and prints the result; errors go up to the
 * program, which maps them to an exit code.
 */
export function registerNodeCommands(program: Command): void {
  const node = program
    .command('node')
    .description("run a hospital's node: its datasets, plan approvals and the daemon")
    .option('--path <dir>', 'node folder (default: $FEDBIOMED_NODE_DIR or ./fedbiomed-node)')
    .enablePositionalOptions();
  const dirOf = (command: Command): string => resolveNodeDir(command.optsWithGlobals<{ path?: string }>().path);

  node
    .command('init')
    .description('create the node folder: config.json, node.db, certs/ and logs/')
    .option('--name <name>', 'node name shown to researchers')
    .option('--id <id>', 'node id (default: a new UUID)')
    .option('--researcher <host:port>', 'address of the researcher')
    .option('--token <token>', 'enrolment token given by the researcher')
    .option('--ca-cert <file>', 'CA certificate (PEM) of the researcher: turns TLS on (paths may be relative to the node folder)')
    .option('--cert <file>', 'node certificate (PEM) for mutual TLS')
    .option('--key <file>', 'node private key (PEM) for mutual TLS')
    .option('--auto-approve-layers <classes>', 'approve plans whose layers are all in this comma-separated list')
    .option('--no-require-approval', 'run plans without approval (not recommended)')
    .option('--min-samples <n>', 'refuse training on datasets with fewer samples', parseCount)
    .option('--allowed-types <types>', 'comma-separated dataset types that may be trained on')
    .option('--require-secure-aggregation', 'send model updates only as masked inputs of secure-aggregation rounds (docs/secure-aggregation.md)')
    .option('--plugins <packages>', 'comma-separated npm packages of plug-ins (losses, metrics, layers) to load, installed in the node folder')
    .option('--analytics-min-cell <n>', 'analytics: refuse any query releasing a count below n rows (default 10)', parseCount)
    .option('--analytics-allow-min-max', 'analytics: release minima and maxima of features')
    .option('--analytics-auto-approve', 'analytics: approve queries on arrival (each reply is still checked against the policy)')
    .action(function (this: Command) {
      const o = this.opts<{
        name?: string;
        id?: string;
        researcher?: string;
        token?: string;
        caCert?: string;
        cert?: string;
        key?: string;
        autoApproveLayers?: string;
        requireApproval: boolean;
        minSamples?: number;
        allowedTypes?: string;
        requireSecureAggregation?: boolean;
        plugins?: string;
        analyticsMinCell?: number;
        analyticsAllowMinMax?: boolean;
        analyticsAutoApprove?: boolean;
      }>();
      const dir = dirOf(this);
      if (o.caCert === undefined && (o.cert !== undefined || o.key !== undefined)) {
        throw new NodeError('INVALID_ARGUMENT', '--cert and --key need --ca-cert (the CA of the researcher)');
      }
      const options: InitNodeOptions = {
        ...(o.id !== undefined && { nodeId: o.id }),
        ...(o.name !== undefined && { nodeName: o.name }),
        researcher: {
          ...(o.researcher !== undefined && { address: o.researcher }),
          ...(o.token !== undefined && { enrolmentToken: o.token }),
          ...(o.caCert !== undefined && {
            tls: { caCert: o.caCert, ...(o.cert !== undefined && { cert: o.cert }), ...(o.key !== undefined && { key: o.key }) },
          }),
        },
        policy: {
          requirePlanApproval: o.requireApproval,
          ...(o.autoApproveLayers !== undefined && { autoApproveLayers: splitList(o.autoApproveLayers) }),
          ...(o.minSamples !== undefined && { minSamplesPerDataset: o.minSamples }),
          ...(o.allowedTypes !== undefined && { allowedDatasetTypes: splitList(o.allowedTypes) }),
          ...(o.requireSecureAggregation === true && { requireSecureAggregation: true }),
          analytics: {
            ...(o.analyticsMinCell !== undefined && { minCellCount: o.analyticsMinCell }),
            ...(o.analyticsAllowMinMax === true && { allowMinMax: true }),
            ...(o.analyticsAutoApprove === true && { autoApprove: true }),
          },
        },
        ...(o.plugins !== undefined && { plugins: splitList(o.plugins) }),
      };
      const config = initNodeFolder(dir, options);
      console.log(`initialised node ${config.nodeId} (${config.nodeName}) in ${dir}`);
    });

  registerDatasetCommands(node.command('dataset').description("the node's datasets"), dirOf);
  registerPlanCommands(node.command('plan').description('training plans and their approval'), dirOf);
  registerGuiCommands(node, dirOf);

  node
    .command('audit')
    .description('every request received and decision taken')
    .command('list')
    .description('print the audit log, newest first')
    .option('--plan <sha256>', 'only entries about this plan')
    .option('--action <action>', 'only this action, e.g. train or plan.approve')
    .option('--limit <n>', 'most recent entries only', parseCount)
    .option('--json', 'print JSON')
    .action(function (this: Command) {
      const o = this.opts<{ plan?: string; action?: string; limit?: number; json?: boolean }>();
      withNode(dirOf(this), (n) => {
        const entries = n.audit({
          ...(o.plan !== undefined && { planSha256: o.plan }),
          ...(o.action !== undefined && { action: o.action }),
          ...(o.limit !== undefined && { limit: o.limit }),
        });
        if (o.json) return printJson(entries);
        printTable(['id', 'at', 'actor', 'action', 'outcome', 'subject', 'detail'], entries.map(auditRow));
      });
    });

  node
    .command('start')
    .description('connect to the researcher and answer its requests until SIGINT or SIGTERM')
    .option('--researcher <host:port>', 'researcher address (overrides config and $FEDBIOMED_RESEARCHER_ADDRESS)')
    .option('--gpu', 'prefer a GPU backend when one is installed')
    .option('--backend <name>', 'force a backend: tensorflow-gpu, webgpu, tensorflow, wasm or cpu')
    .option('--threads <n>', 'threads a training round may use (wasm: data parallelism over worker threads)')
    .addOption(
      new Option('--log-format <format>', 'console lines: readable (pretty) or JSON; logs/node.log is always JSON (default: pretty on a terminal, else json)').choices(
        CONSOLE_LOG_FORMATS,
      ),
    )
    .action(async function (this: Command) {
      const o = this.opts<{ researcher?: string; gpu?: boolean; backend?: string; threads?: string; logFormat?: ConsoleLogFormat }>();
      // Flags act as the environment overrides do, so the config schema checks them too.
      const env = {
        ...process.env,
        ...(o.researcher !== undefined && { FEDBIOMED_RESEARCHER_ADDRESS: o.researcher }),
        ...(o.backend !== undefined && { FEDBIOMED_NODE_BACKEND: o.backend }),
        ...(o.threads !== undefined && { FEDBIOMED_NODE_TRAINING_THREADS: o.threads }),
      };
      const n = openNode(dirOf(this), { env, consoleLog: o.logFormat ?? defaultConsoleLogFormat() });
      const giveUp = new AbortController();
      let running: RunningNode | undefined;
      const stop = (signal: string): void => {
        n.logger.info({ signal }, running ? 'stopping: finishing the task in flight' : 'stopping before the researcher answered');
        if (running) void running.stop();
        else giveUp.abort();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      try {
        running = await startNode(n, {
          signal: giveUp.signal,
          ...(o.gpu === true && { useGpu: true }),
        });
        const refusal = await running.stopped;
        if (refusal) throw refusal;
      } catch (error) {
        if (!giveUp.signal.aborted) throw error;
      } finally {
        n.close();
      }
    });
}

function registerDatasetCommands(dataset: Command, dirOf: (command: Command) => string): void {
  dataset
    .command('add')
    .description('validate a dataset and register it (prompts for missing flags on a terminal)')
    .option('--type <type>', `adapter or recipe: ${datasetTypes().join(', ')}`)
    .option('--path <path>', 'file or folder of the data')
    .option('--tags <tags>', 'comma-separated tags researchers search by')
    .option('--name <name>', 'short name (default: the tags)')
    .option('--description <text>', 'what the data is')
    .option('--options <json>', 'adapter options as a JSON object, e.g. \'{"label":"target"}\'')
    .option('--by <operator>', 'operator name for the audit table', userInfo().username)
    .action(async function (this: Command) {
      const o = this.opts<{ type?: string; path?: string; tags?: string; name?: string; description?: string; options?: string; by: string }>();
      const dataType = o.type ?? (await ask('type', 'Dataset type (csv, images, mnist, medical-folder or a recipe)'));
      const path = o.path ?? (await ask('path', 'Path of the data'));
      const tags = o.tags ?? (await ask('tags', 'Tags (comma-separated)'));
      const options = parseJsonObject(o.options ?? '{}', '--options');
      await withNode(dirOf(this), async (n) => {
        const record = await n.datasets.add(
          {
            dataType,
            path,
            tags: splitList(tags),
            options,
            ...(o.name !== undefined && { name: o.name }),
            ...(o.description !== undefined && { description: o.description }),
          },
          o.by,
        );
        console.log(`registered dataset ${record.id}: ${record.sampleCount} samples of shape [${record.featureShape.join(', ')}]`);
        if (record.target !== undefined) console.log(`labels: ${describeTarget(record.target, record.numClasses)}`);
        if (record.fixedSplit !== undefined) console.log(`own split: ${describeFixedSplit(record.fixedSplit)}`);
        if (record.missingValues !== undefined) console.log(describeMissingValues(record.missingValues));
      });
    });

  dataset
    .command('list')
    .description('the registered datasets')
    .option('--json', 'print JSON')
    .action(function (this: Command) {
      const o = this.opts<{ json?: boolean }>();
      withNode(dirOf(this), (n) => {
        const records = n.datasets.list();
        if (o.json) return printJson(records.map((record) => ({ ...record, privacy: n.privacy.standing(record.id) })));
        printTable(['id', 'name', 'type', 'tags', 'samples', 'shape', 'privacy ε spent'], records.map((record) => datasetRow(record, n.privacy.standing(record.id))));
      });
    });

  dataset
    .command('show <id>')
    .description('print one registered dataset: type, path, tags, samples, feature shape, options')
    .option('--json', 'print JSON')
    .action(function (this: Command, id: string) {
      withNode(dirOf(this), (n) => {
        const record = n.datasets.get(id);
        const privacy = n.privacy.standing(record.id);
        if (this.opts<{ json?: boolean }>().json) return printJson({ ...record, privacy });
        printFields([...datasetFields(record), ...privacyFields(privacy)]);
      });
    });

  dataset
    .command('remove <id>')
    .description('unregister a dataset (its files are left in place)')
    .option('--by <operator>', 'operator name for the audit table', userInfo().username)
    .action(function (this: Command, id: string) {
      withNode(dirOf(this), (n) => {
        n.datasets.remove(id, this.opts<{ by: string }>().by);
        console.log(`removed dataset ${id}`);
      });
    });
}

function registerPlanCommands(plan: Command, dirOf: (command: Command) => string): void {
  plan
    .command('register <file>')
    .description('check a plan JSON file ({canonicalJson, sha256, kind, name}) and record it as pending')
    .option('--by <operator>', 'operator name for the audit table', userInfo().username)
    .option('--notes <text>', 'notes kept with the plan')
    .action(function (this: Command, file: string) {
      const o = this.opts<{ by: string; notes?: string }>();
      const raw = readPlanFile(file);
      return withNode(dirOf(this), async (n) => {
        await loadNodePlugins(n);
        const record = n.plans.submit(raw, { by: o.by, ...(o.notes !== undefined && { notes: o.notes }) });
        console.log(`plan ${record.sha256} ("${record.name}") is ${record.approval.status}`);
      });
    });

  plan
    .command('list')
    .description('the training plans this node knows, with their approval status')
    .option('--status <status>', 'only pending, approved or rejected plans')
    .option('--json', 'print JSON')
    .action(function (this: Command) {
      const o = this.opts<{ status?: string; json?: boolean }>();
      withNode(dirOf(this), (n) => {
        const records = n.plans.list().filter((p) => o.status === undefined || p.approval.status === o.status);
        if (o.json) return printJson(records.map(({ canonicalJson: _json, ...rest }) => rest));
        printTable(['sha256', 'name', 'kind', 'status', 'by', 'at'], records.map(planRow));
      });
    });

  plan
    .command('show <sha256>')
    .description('print a plan readably: layers, parameter counts, optimiser, plug-ins, approval')
    .option('--json', 'print the canonical JSON')
    .action(function (this: Command, sha256: string) {
      return withNode(dirOf(this), async (n) => {
        const record = n.plans.get(sha256);
        if (this.opts<{ json?: boolean }>().json) return console.log(record.canonicalJson);
        await loadNodePlugins(n);
        printFields(planFields(record));
        console.log('');
        console.log(describePlan(record));
      });
    });

  for (const verb of ['approve', 'reject'] as const) {
    plan
      .command(`${verb} <sha256>`)
      .description(`${verb} a plan by its hash (a unique prefix of 8+ characters works)`)
      .option('--by <operator>', 'operator name for the audit table', userInfo().username)
      .option('--notes <text>', 'why')
      .action(function (this: Command, sha256: string) {
        const o = this.opts<{ by: string; notes?: string }>();
        withNode(dirOf(this), (n) => {
          const decision = { by: o.by, ...(o.notes !== undefined && { notes: o.notes }) };
          const record = verb === 'approve' ? n.plans.approve(sha256, decision) : n.plans.reject(sha256, decision);
          console.log(`plan ${record.sha256} ("${record.name}") is ${record.approval.status}`);
        });
      });
  }
}

/** Prompts for a missing flag on a terminal; elsewhere a missing flag is an error. */
async function ask(flag: string, question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new NodeError('INVALID_ARGUMENT', `missing --${flag}`);
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(`${question}: `)).trim();
    if (answer === '') throw new NodeError('INVALID_ARGUMENT', `missing --${flag}`);
    return answer;
  } finally {
    rl.close();
  }
}

function readPlanFile(file: string): { canonicalJson?: string; sha256?: string; kind?: string; name?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new NodeError('INVALID_PLAN', `cannot read plan file ${file}: ${(error as Error).message}`);
  }
  const value = parseJsonObject(text, `plan file ${file}`);
  // A file holding a whole built plan ({plan, spec, ...}) is accepted as well as the bare wire form.
  const wire = (typeof value['plan'] === 'object' && value['plan'] !== null ? value['plan'] : value) as Record<string, unknown>;
  const field = (key: string): string | undefined => (typeof wire[key] === 'string' ? (wire[key] as string) : undefined);
  const canonicalJson = field('canonicalJson');
  if (canonicalJson === undefined) throw new NodeError('INVALID_PLAN', `plan file ${file} has no "canonicalJson" string`);
  return { canonicalJson, sha256: field('sha256') ?? '', kind: field('kind') ?? '', name: field('name') ?? '' };
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NodeError('INVALID_ARGUMENT', `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NodeError('INVALID_ARGUMENT', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function parseCount(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new NodeError('INVALID_ARGUMENT', `expected a whole number, got "${text}"`);
  return value;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

function printTable(head: string[], rows: string[][]): void {
  if (rows.length === 0) return console.log('(none)');
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows);
  console.log(table.toString());
}

function printFields(fields: Array<[string, string]>): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) console.log(`${key.padEnd(width)}  ${value}`);
}

function datasetRow(d: DatasetRecord, privacy: PrivacyStanding): string[] {
  const spent = formatEpsilon(privacy.spentEpsilon);
  return [d.id, d.name, d.dataType, d.tags.join(', '), String(d.sampleCount), `[${d.featureShape.join(', ')}]`, privacy.budget ? `${spent} of ${privacy.budget.epsilon}` : spent];
}

/** The dataset's differential-privacy budget and what tasks spent of it (`dataset show`). */
function privacyFields(p: PrivacyStanding): Array<[string, string]> {
  const spent = `ε = ${formatEpsilon(p.spentEpsilon)} at δ = ${p.delta} over ${p.tasks} task${p.tasks === 1 ? '' : 's'} under DP`;
  if (p.budget === undefined) return [['privacy budget', 'none (policy privacyBudget)'], ['privacy spent', spent]];
  return [
    ['privacy budget', `ε = ${p.budget.epsilon} at δ = ${p.budget.delta}`],
    ['privacy spent', spent],
    ['privacy remaining', `ε = ${formatEpsilon(p.remainingEpsilon ?? 0)}`],
  ];
}

function formatEpsilon(epsilon: number): string {
  return Number.isFinite(epsilon) ? String(Number(epsilon.toPrecision(4))) : '∞';
}

function datasetFields(d: DatasetRecord): Array<[string, string]> {
  return [
    ['id', d.id],
    ['name', d.name],
    ['type', d.dataType],
    ['path', d.path],
    ['tags', d.tags.join(', ')],
    ['description', d.description],
    ['samples', String(d.sampleCount)],
    ['feature shape', `[${d.featureShape.join(', ')}]`],
    ['feature dtypes', d.featureDtypes.join(', ')],
    ['classes', String(d.numClasses)],
    ['labels', d.target === undefined ? 'unknown (registered before targets were recorded)' : describeTarget(d.target, d.numClasses)],
    ['split', d.fixedSplit === undefined ? 'cut per experiment (testRatio, seed)' : describeFixedSplit(d.fixedSplit)],
    ['missing values', d.missingValues === undefined ? 'none dropped or imputed' : describeMissingValues(d.missingValues)],
    ['options', JSON.stringify(d.options)],
    ['registered', d.createdAt],
  ];
}

function planRow(p: PlanRecord): string[] {
  const decided = p.approval.status === 'pending' ? ['', ''] : [p.approval.by, p.approval.at];
  return [p.sha256, p.name, p.kind, p.approval.status, ...decided];
}

function planFields(p: PlanRecord): Array<[string, string]> {
  const a = p.approval;
  return [
    ['sha256', p.sha256],
    ['name', p.name],
    ['kind', p.kind],
    ['status', a.status],
    ...(a.status === 'pending' ? [] : ([['decided by', a.by], ['decided at', a.at]] as Array<[string, string]>)),
    ['notes', a.notes],
    ['registered', `${p.registeredAt} by ${p.registeredBy}`],
  ];
}

function auditRow(e: AuditEntry): string[] {
  const subject = e.planSha256 ? `plan ${e.planSha256.slice(0, 12)}` : e.datasetId ? `dataset ${e.datasetId}` : '';
  return [String(e.id), e.at, e.actor, e.action, e.outcome, subject, e.detail];
}
