// The node GUI end to end, in a real browser: Debian's Chromium (playwright-core) against
// `fedbiomed node gui` spawned from the built CLI, beside a real `fedbiomed node start` on the same
// folder (same SQLite file) and a real `fedbiomed researcher start --experiment` that asks for the
// plan's approval over gRPC on loopback. Build first: `npx tsc -b tsconfig.build.json`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bundledDataset, CLI_BIN, docBlock, freePort, launchChromium, makeTempDir, seriousAccessibilityViolations, takeReadmeScreenshot, WORKSPACE_ROOT, type TempDir } from '@fedbiomed/test-utils';
import { saveModel } from '@fedbiomed/training';
import { PASSWORD } from './gui-test-support.test.helper';

const WDBC_OPTIONS = JSON.stringify({ header: false, skipLines: 1, label: 30, task: 'classification' });
// The pages' CSP forbids inline scripts, axe-core's injection among them: contexts bypass it, so the
// markup check below also proves that escaping alone keeps a script from running.
const CONTEXT = { bypassCSP: true } as const;
const SCREENSHOT = join(WORKSPACE_ROOT, 'docs', 'images', 'node-gui.png');

interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

function fedbiomed(args: readonly string[], input?: string): Spawned {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin!.end(input ?? '');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function fedbiomedToEnd(args: readonly string[], input?: string): Promise<string> {
  const run = fedbiomed(args, input);
  const code = await run.exited;
  if (code !== 0) throw new Error(`fedbiomed ${args.join(' ')} exited ${code}:\n${run.output()}`);
  return run.output();
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** No serious axe-core violation on the page now shown; the failure names them. */
async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousAccessibilityViolations(page);
  expect(violations.map((v) => `${page.url()}: ${v.id}`)).toEqual([]);
}

async function signIn(context: BrowserContext, base: string, name: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${base}/status`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/status`);
  return page;
}

describe('fedbiomed node gui in Chromium, beside a running node and a researcher asking for approval', () => {
  let dir: TempDir;
  let browser: Browser | undefined;
  const processes: Spawned[] = [];
  let attacker: Server | undefined;

  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    const killer = setTimeout(() => processes.forEach((p) => p.child.kill('SIGKILL')), 10_000);
    await Promise.all(processes.map((p) => p.exited));
    clearTimeout(killer);
    attacker?.close();
    dir?.dispose();
  }, 30_000);

  it('lets an operator register a CSV with a preview, approve the requested plan and watch the rounds; a viewer cannot approve; cross-site and anonymous requests are refused', async () => {
    dir = makeTempDir('fedbiomed-gui-browser-');
    const nodeDir = join(dir.path, 'node');
    const researcherPort = await freePort();
    const guiPort = await freePort();
    const token = 'gui-token';
    await fedbiomedToEnd(['node', '--path', nodeDir, 'init', '--id', 'hospital-gui', '--name', 'Hospital GUI', '--researcher', `127.0.0.1:${researcherPort}`, '--token', token]);
    // The first admin from standard input, the others from a password file.
    await fedbiomedToEnd(['node', '--path', nodeDir, 'user', 'add', 'ada', '--role', 'admin', '--by', 'installer'], `${PASSWORD}\n`);
    const passwordFile = dir.write('password.txt', `${PASSWORD}\n`);
    await fedbiomedToEnd(['node', '--path', nodeDir, 'user', 'add', 'olivia', '--role', 'operator', '--password-file', passwordFile, '--by', 'ada']);
    await fedbiomedToEnd(['node', '--path', nodeDir, 'user', 'add', 'victor', '--role', 'viewer', '--password-file', passwordFile, '--by', 'ada']);

    const gui = fedbiomed(['node', '--path', nodeDir, 'gui', '--port', String(guiPort)]);
    processes.push(gui);
    await until(() => gui.output().includes('node GUI of Hospital GUI at '), `the GUI to listen (output so far: ${gui.output()})`);
    const base = `http://127.0.0.1:${guiPort}`;
    const dialogs: string[] = [];

    // Anonymous: the pages send to the login form, the API answers 401.
    const anonymous = await browser!.newContext(CONTEXT);
    const anonymousPage = await anonymous.newPage();
    await anonymousPage.goto(`${base}/plans`);
    expect(new URL(anonymousPage.url()).pathname).toBe('/login');
    await expectAccessible(anonymousPage);
    expect((await anonymous.request.get(`${base}/api/plans`)).status()).toBe(401);
    expect((await anonymous.request.post(`${base}/api/datasets`, { data: { type: 'csv', path: '/etc', tags: ['x'] } })).status()).toBe(401);

    // The operator registers WDBC through the form, with the preview first.
    const operatorContext = await browser!.newContext({ ...CONTEXT, viewport: { width: 1280, height: 900 } });
    const operator = await signIn(operatorContext, base, 'olivia');
    operator.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await operator.getByRole('link', { name: 'Datasets' }).click();
    await operator.getByLabel('Type').selectOption('csv');
    await operator.getByLabel('File or folder path on this machine').fill(bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'));
    await operator.getByLabel('Adapter options (JSON)').fill(WDBC_OPTIONS);
    await operator.getByLabel('Tags (comma-separated)').fill('wdbc');
    await operator.getByLabel('Name', { exact: true }).fill('WDBC');
    await operator.getByRole('button', { name: 'Preview' }).click();
    await operator.getByRole('heading', { name: /Preview of .*breast_cancer\.csv/ }).waitFor();
    expect(await operator.getByText('Columns (569 rows read)').isVisible()).toBe(true);
    expect(await operator.locator('#preview').innerText()).toContain('569 samples, features of shape [30]');
    const balance = await operator.locator('#label-balance tbody tr').allInnerTexts();
    expect(balance.map((row) => row.split('\t').slice(0, 2))).toEqual([
      ['1', '357'],
      ['0', '212'],
    ]);
    await expectAccessible(operator);
    await operator.getByRole('button', { name: 'Register' }).click();
    await operator.waitForURL(/\/datasets\/dataset-/);
    expect(await operator.getByRole('heading', { level: 1 }).innerText()).toBe('Dataset WDBC');
    await expectAccessible(operator);

    // A name with markup is shown as text: no script runs, the text is there.
    await operator.goto(`${base}/datasets`);
    await operator.getByLabel('File or folder path on this machine').fill(bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv'));
    await operator.getByLabel('Adapter options (JSON)').fill(WDBC_OPTIONS);
    await operator.getByLabel('Tags (comma-separated)').fill('markup-test');
    await operator.getByLabel('Name', { exact: true }).fill('<script>alert(1)</script>');
    await operator.getByRole('button', { name: 'Preview' }).click();
    await operator.getByRole('button', { name: 'Register' }).click();
    await operator.waitForURL(/\/datasets\/dataset-/);
    expect(await operator.getByText('<script>alert(1)</script>', { exact: true }).isVisible()).toBe(true);
    await operator.goto(`${base}/datasets`);
    expect(await operator.getByRole('link', { name: '<script>alert(1)</script>' }).isVisible()).toBe(true);
    expect(dialogs).toEqual([]);

    // The node runs beside the GUI on the same folder; the researcher asks for the plan's approval.
    const experimentFile = join(dir.path, 'experiment.json');
    const experiment = JSON.parse(docBlock('packages/cli/README.md', 'cli-experiment-file')) as Record<string, unknown>;
    writeFileSync(experimentFile, JSON.stringify({ ...experiment, rounds: 2, nodes: ['hospital-gui'], waitForNodes: 1, minNodes: 1, learningRateSchedule: undefined }));
    const model = tf.sequential({ layers: [tf.layers.dense({ name: 'logistic', inputShape: [30], units: 1, activation: 'sigmoid', kernelInitializer: 'zeros' })] });
    await saveModel(model, join(dir.path, 'model'));
    model.dispose();
    const researcher = fedbiomed(['researcher', 'start', '--port', String(researcherPort), '--token', token, '--experiment', experimentFile, '--out', join(dir.path, 'out'), '--approval-timeout', '120000']);
    processes.push(researcher);
    mkdirSync(join(dir.path, 'logs'));
    const node = fedbiomed(['node', '--path', nodeDir, 'start']);
    processes.push(node);
    await until(() => researcher.output().includes('waiting for approval on Hospital GUI'), `the approval request (researcher: ${researcher.output()}; node: ${node.output()})`, 90_000);

    // The operator reads the plan and approves it with a note.
    await operator.goto(`${base}/plans`);
    await operator.getByRole('link', { name: 'wdbc-logistic' }).click();
    await operator.getByRole('heading', { name: /Plan wdbc-logistic/ }).waitFor();
    const layers = await operator.locator('#layers tbody tr').allInnerTexts();
    expect(layers.map((row) => row.split('\t'))).toEqual([['logistic', 'Dense', '[batch,1]', '31']]);
    const planText = await operator.locator('main').innerText();
    expect(planText).toContain('binary_crossentropy');
    expect(planText).toContain('standardize');
    expect(planText).toContain('batch size: 8 to 64');
    expect(planText).toContain('updates per round (numUpdates): at most 50');
    const sha256 = (await operator.locator('.fields code').first().innerText()).trim();
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    await expectAccessible(operator);
    await operator.getByLabel('Note kept with the decision').fill('layers and limits checked');
    await operator.getByRole('button', { name: 'Approve' }).click();
    await operator.waitForURL(`${base}/plans/${sha256}`);
    expect(await operator.locator('#plan-status').innerText()).toBe('approved');

    // The status page follows the rounds live (server-sent events re-render the panel).
    await operator.getByRole('link', { name: 'Status' }).click();
    // Read whole rows: the panel is re-rendered by server-sent events, and a row read mid-swap is empty.
    const roundRows = async (): Promise<string[][]> => (await operator.locator('#rounds tbody tr').allInnerTexts()).map((row) => row.split('\t'));
    let rounds: string[][] = [];
    await until(async () => {
      rounds = await roundRows();
      return rounds.length === 2 && rounds.every((row) => row.length === 6);
    }, 'two rounds on the status page', 90_000);
    // The researcher may already have finished and closed the session: the node then reconnects.
    expect(['connected', 'reconnecting']).toContain(await operator.locator('#connection').innerText());
    expect(rounds.map((row) => row[2])).toEqual(['2', '1']);
    // The samples each round reports, as the node logged them: the same every round, fewer than WDBC's 569 rows.
    const samples = rounds.map((row) => Number(row[3]));
    expect(samples[0]).toBe(samples[1]);
    expect(samples[0]).toBeGreaterThan(400);
    expect(samples[0]).toBeLessThan(569);
    expect(rounds[0]![5]).toMatch(/loss \d/);
    await until(async () => (await operator.locator('#log').innerText()).includes('trained round 2'), 'the live log to show round 2');
    expect(await operator.locator('#log').innerText()).toContain('connected to researcher');
    await expectAccessible(operator);
    mkdirSync(join(WORKSPACE_ROOT, 'docs', 'images'), { recursive: true });
    expect((await takeReadmeScreenshot(operator, SCREENSHOT)).length).toBeGreaterThan(10_000);
    expect(await researcher.exited).toBe(0);

    // The audit log, filtered by who: the operator's decisions under her name.
    await operator.goto(`${base}/audit?actor=olivia`);
    const audit = (await operator.locator('#audit tbody tr').allInnerTexts()).map((row) => row.split('\t').slice(2, 5).join(' '));
    expect(audit).toEqual(expect.arrayContaining(['olivia plan.approve approved', 'olivia dataset.add done', 'olivia user.login done']));
    expect(audit.every((row) => row.startsWith('olivia '))).toBe(true);
    await expectAccessible(operator);

    // A page on another site posts a rejection to the GUI: the browser sends no session cookie
    // (SameSite=Strict), the Origin is foreign, and the plan stays approved.
    attacker = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!doctype html><html lang="en"><title>x</title><form id="f" method="post" action="${base}/plans/${sha256}/reject"><input name="notes" value="forged"></form><script>document.getElementById('f').submit()</script></html>`);
    }).listen(0, '127.0.0.1');
    await once(attacker, 'listening');
    const forged = operator.waitForResponse((response) => response.url().endsWith('/reject'));
    await operator.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
    expect([401, 403]).toContain((await forged).status());
    const after = await operatorContext.request.get(`${base}/api/plans/${sha256}`);
    expect((await after.json()) as object).toMatchObject({ approval: { status: 'approved', by: 'olivia' } });

    // A viewer reads the plan but has no decision form, and the API answers 403.
    const viewerContext = await browser!.newContext(CONTEXT);
    const viewer = await signIn(viewerContext, base, 'victor');
    await viewer.goto(`${base}/plans/${sha256}`);
    expect(await viewer.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const csrf = await viewer.locator('input[name="_csrf"]').first().inputValue();
    const status = await viewer.evaluate(
      async ([url, token]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token! }, body: '{}' })).status,
      [`/api/plans/${sha256}/reject`, csrf],
    );
    expect(status).toBe(403);
    await viewer.goto(`${base}/datasets`);
    expect(await viewer.getByRole('heading', { name: 'Add a dataset' }).count()).toBe(0);
    await expectAccessible(viewer);

    // The admin's users page.
    const adminContext = await browser!.newContext(CONTEXT);
    const admin = await signIn(adminContext, base, 'ada');
    await admin.getByRole('link', { name: 'Users' }).click();
    expect((await admin.locator('#users tbody tr').allInnerTexts()).map((row) => row.split('\t').slice(0, 2).join(' '))).toEqual(['ada admin', 'olivia operator', 'victor viewer']);
    await expectAccessible(admin);
    await admin.goto(`${base}/plans`);
    await expectAccessible(admin);
    expect(dialogs).toEqual([]);
  }, 300_000);
});
