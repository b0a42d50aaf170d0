/**
 * What an operator sees on the console of `fedbiomed node start` (a spawned node process, build
 * first with `npx tsc -b packages/cli`) while a researcher (a real gRPC ResearcherServer on
 * loopback) asks for approval, is refused, gets the plan approved by the operator, trains and
 * evaluates: readable lines with `--log-format pretty`, the same events as JSON lines by default
 * off a terminal, and `logs/node.log` in JSON always.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bundledDataset, makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { ResearcherServer } from '@fedbiomed/transport';
import { logisticPlan, runNodeCli, SILENT_LOGGER, spawnNodeCli, trainRequest, waitOnline, WDBC_CSV_OPTIONS } from './testing/fixtures';

jest.setTimeout(120_000);

const TOKEN = 'console-token';
const RESEARCHER_ID = 'researcher-console';
const built = logisticPlan(30, 'console LR');
const SHA = built.plan.sha256;

/** A spawned node and everything it wrote to standard error. */
interface NodeProcess {
  readonly child: ChildProcess;
  stderr(): string;
}

function spawnNode(dir: string, args: readonly string[]): NodeProcess {
  // Level info, as an operator runs it (the fixtures default to warn for one-shot commands).
  const child = spawnNodeCli(dir, ['start', ...args], { FEDBIOMED_LOG_LEVEL: 'info' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', () => undefined);
  return { child, stderr: () => stderr };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopNode(node: NodeProcess): Promise<number | null> {
  if (node.child.exitCode !== null) return node.child.exitCode;
  const exited = once(node.child, 'exit');
  node.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

/** JSON lines of a log text (every line must parse). */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the node console (spawned `fedbiomed node start`)', () => {
  let tmp: TempDir;
  let researcher: ResearcherServer;
  let address: string;

  beforeAll(async () => {
    tmp = makeTempDir('fedbiomed-node-console-');
    researcher = new ResearcherServer({ enrolmentTokens: [TOKEN], researcherId: RESEARCHER_ID, logger: SILENT_LOGGER });
    address = `127.0.0.1:${await researcher.start()}`;
  });
  afterAll(async () => {
    await researcher.stop();
    tmp.dispose();
  });

  /**
   * One operator's session: a node with WDBC starts; the researcher asks for approval, trains before
   * the operator approved (refused), the operator approves from another process, the researcher
   * trains and evaluates. Returns the node's folder and its console output.
   */
  async function operatorSession(nodeId: string, startArgs: readonly string[], seen: (text: string) => boolean[]): Promise<{ dir: string; stderr: string }> {
    const dir = join(tmp.path, nodeId);
    for (const args of [
      ['init', '--id', nodeId, '--name', `Hospital ${nodeId}`, '--researcher', address, '--token', TOKEN],
      ['dataset', 'add', '--type', 'csv', '--path', bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'), '--tags', 'wdbc', '--options', JSON.stringify({ ...WDBC_CSV_OPTIONS, skipLines: 1 })],
    ]) {
      const run = await runNodeCli(dir, args);
      if (run.code !== 0) throw new Error(`${args[0]} failed: ${run.stderr}`);
    }
    const online = waitOnline(researcher, nodeId);
    const node = spawnNode(dir, startArgs);
    try {
      await online;
      const [dataset] = (await researcher.request(nodeId, { search: { tags: ['wdbc'] } }, { timeoutMs: 20_000 })).reply.search!.datasets;
      const approval = await researcher.request(nodeId, { experimentId: 'exp-console', approval: { plan: built.plan, description: 'console test' } }, { timeoutMs: 20_000 });
      expect(approval.reply.approval?.status).toBe('PLAN_STATUS_PENDING');

      const early = trainRequest(built, dataset!.id, { experimentId: 'exp-console', round: 1 });
      await expect(researcher.request(nodeId, { ...early.request, requestId: 'req-too-early' }, { tensors: [early.payload], timeoutMs: 20_000 })).rejects.toMatchObject({
        code: 'REMOTE_ERROR',
        remoteCode: 'ERROR_CODE_PLAN_NOT_APPROVED',
      });

      // The operator approves from another terminal while the node runs: no lock stops that.
      const approve = await runNodeCli(dir, ['plan', 'approve', SHA.slice(0, 12), '--by', 'alice', '--notes', 'reviewed']);
      expect(approve.code).toBe(0);

      const { request, payload } = trainRequest(built, dataset!.id, { experimentId: 'exp-console', round: 1 });
      const trained = await researcher.request(nodeId, { ...request, requestId: 'req-train-1' }, { tensors: [payload], timeoutMs: 60_000 });
      expect(trained.reply.train?.sampleCount).toBeGreaterThan(0);
      const evaluated = await researcher.request(
        nodeId,
        {
          experimentId: 'exp-console',
          requestId: 'req-eval-1',
          evaluate: { datasetId: dataset!.id, plan: built.plan, weights: payload.set, metrics: ['accuracy'], testRatio: 0.2, randomSeed: 7 },
        },
        { tensors: [payload], timeoutMs: 60_000 },
      );
      expect(evaluated.reply.evaluate?.metrics).toBeTruthy();
      // The approval is seen by polling the database: wait for every expected line before stopping.
      await waitFor('the console lines', () => seen(node.stderr()).every(Boolean));
    } finally {
      expect(await stopNode(node)).toBe(0);
    }
    return { dir, stderr: node.stderr() };
  }

  it('--log-format pretty prints readable lines for connection, approval request, decision, refusal, round and evaluation', async () => {
    const nodeId = 'pretty-node';
    const port = address.split(':')[1]!;
    const expected = (dir: string): RegExp[] => [
      new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] INFO: connected to researcher ${RESEARCHER_ID} at 127\\.0\\.0\\.1:${port} as Hospital ${nodeId} \\(${nodeId}\\)$`, 'm'),
      new RegExp(
        `INFO: researcher ${RESEARCHER_ID} asks to approve plan "console LR" \\(${SHA}\\); to approve: fedbiomed node --path ${escape(dir)} plan approve ${SHA.slice(0, 12)}$`,
        'm',
      ),
      new RegExp(`WARN: refused train request req-too-early of experiment exp-console \\(PLAN_NOT_APPROVED\\): .*${SHA}`, 'm'),
      new RegExp(`INFO: plan "console LR" \\(${SHA.slice(0, 12)}\\) approved by alice: reviewed$`, 'm'),
      /INFO: train request req-train-1: round 1 of experiment exp-console, plan "console LR" \([0-9a-f]{12}\) on dataset \S+$/m,
      /INFO: trained round 1 of experiment exp-console: \d+ samples, \d+ updates in \d+\.\d s \(\w+\); loss \d\.\d{4}, accuracy \d\.\d{4}$/m,
      /INFO: evaluated experiment exp-console on dataset \S+: \d+ samples; accuracy \d\.\d{4}$/m,
    ];
    const dir = join(tmp.path, nodeId);
    const { stderr } = await operatorSession(nodeId, ['--log-format', 'pretty'], (text) => expected(dir).map((line) => line.test(text)));
    for (const line of expected(dir)) expect(stderr).toMatch(line);
    expect(stderr).not.toMatch(/^\{/m);
    // The file stays JSON lines, with the same events.
    const events = jsonLines(readFileSync(join(dir, 'logs', 'node.log'), 'utf8')).map((line) => line['event']);
    expect(events).toEqual(expect.arrayContaining(['connected', 'approval-requested', 'request-refused', 'plan-approved', 'train-received', 'round-trained', 'evaluated']));
  });

  it('off a terminal the console is JSON lines: the same events with their fields', async () => {
    const nodeId = 'json-node';
    const eventsOf = (text: string): unknown[] =>
      text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { event?: string }).event);
    const wanted = ['connected', 'approval-requested', 'request-refused', 'plan-approved', 'train-received', 'round-trained', 'evaluated'];
    // No --log-format: standard error is a pipe here, so JSON is the default.
    const { dir, stderr } = await operatorSession(nodeId, [], (text) => wanted.map((event) => eventsOf(text).includes(event)));
    const lines = jsonLines(stderr);
    const byEvent = (event: string, requestId?: string): Record<string, unknown> | undefined =>
      lines.find((line) => line['event'] === event && (requestId === undefined || line['requestId'] === requestId));
    expect(byEvent('connected')).toMatchObject({ level: 30, address, nodeId, nodeName: `Hospital ${nodeId}`, researcherId: RESEARCHER_ID });
    expect(byEvent('approval-requested')).toMatchObject({
      level: 30,
      researcherId: RESEARCHER_ID,
      planName: 'console LR',
      planSha256: SHA,
      status: 'pending',
      experimentId: 'exp-console',
      approveCommand: `fedbiomed node --path ${dir} plan approve ${SHA.slice(0, 12)}`,
    });
    expect(byEvent('request-refused')).toMatchObject({ level: 40, kind: 'train', requestId: 'req-too-early', code: 'PLAN_NOT_APPROVED', reason: expect.stringContaining(SHA) });
    expect(byEvent('plan-approved')).toMatchObject({ level: 30, planName: 'console LR', planSha256: SHA, by: 'alice', notes: 'reviewed' });
    expect(byEvent('train-received', 'req-train-1')).toMatchObject({ level: 30, requestId: 'req-train-1', experimentId: 'exp-console', round: 1, planSha256: SHA });
    const round = byEvent('round-trained');
    expect(round).toMatchObject({ level: 30, requestId: 'req-train-1', experimentId: 'exp-console', round: 1, sampleCount: expect.any(Number), seconds: expect.any(Number) });
    expect(Object.keys(round!['metrics'] as object).sort()).toEqual(['accuracy', 'loss']);
    expect(byEvent('evaluated')).toMatchObject({ level: 30, requestId: 'req-eval-1', experimentId: 'exp-console', metrics: { accuracy: expect.any(Number) } });
  });

  it('while the researcher is unreachable, each retry names the address, the socket error, the retry number and the wait', async () => {
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as { port: number };
    closed.close();
    await once(closed, 'close');
    const dir = join(tmp.path, 'unreachable');
    const init = await runNodeCli(dir, ['init', '--id', 'lonely', '--researcher', `127.0.0.1:${port}`, '--token', TOKEN]);
    expect(init.code).toBe(0);
    const node = spawnNode(dir, ['--log-format', 'pretty']);
    const retry = new RegExp(`INFO: researcher at 127\\.0\\.0\\.1:${port} unreachable \\(ECONNREFUSED\\); retry (\\d+) in \\d+\\.\\d s$`, 'gm');
    try {
      await waitFor('two retry lines', () => [...node.stderr().matchAll(retry)].length >= 2);
      expect([...node.stderr().matchAll(retry)].slice(0, 2).map((match) => match[1])).toEqual(['1', '2']);
    } finally {
      expect(await stopNode(node)).toBe(0);
    }
  });
});
