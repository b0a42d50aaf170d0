import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, makeTempDir, seriousAccessibilityViolations, takeReadmeScreenshot, WORKSPACE_ROOT, type TempDir } from '@fedbiomed/test-utils';
import { requireBuiltCli, startCli, until, type CliProcess } from './cli-test-support.test.helper';

// The researcher's dashboard as a newcomer meets it: the real demo (a researcher and 4 node
// processes on Fed-Heart-Disease) prints its address, real Chromium (Debian's, via playwright-core)
// opens it, then `fedbiomed researcher dashboard --dir` reads the
// finished experiment's folder. Without a browser, launchChromium() throws saying how to install one.
const ROUNDS = 5;
const HOSPITALS = ['Cleveland Clinic', 'Hungarian Inst. of Cardiology', 'Univ. Hospital Zurich/Basel', 'VA Long Beach'];
const AGGREGATED = 'All nodes (sample-weighted)';
const SCREENSHOT = join(WORKSPACE_ROOT, 'docs', 'images', 'researcher-dashboard.png');

interface DashboardWindow {
  fedbiomedDashboard: { charts: Record<string, { data: (number | null)[][]; series: { label?: string }[] }> };
}

/** Per series label of chart `id`, the number of points in the uPlot instance's data (nulls are gaps). */
function chartPoints(page: Page, id: string): Promise<Record<string, number>> {
  return page.evaluate((chartId) => {
    const chart = (globalThis as unknown as DashboardWindow).fedbiomedDashboard.charts[chartId];
    if (chart === undefined) return {};
    return Object.fromEntries(chart.series.slice(1).map((series, index) => [String(series.label), (chart.data[index + 1] ?? []).filter((v) => v !== null).length]));
  }, id);
}

const everyRound = (count: number): Record<string, number> => Object.fromEntries([AGGREGATED, ...HOSPITALS].map((label) => [label, count]));

let browser: Browser;
let out: TempDir;
beforeAll(async () => {
  requireBuiltCli();
  browser = await launchChromium();
  out = makeTempDir('fedbiomed-dashboard-demo-');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  out?.dispose();
});

// Whether a point is drawn while a run is still going depends on how fast this machine trains (the
// demo's 5 rounds can end before Chromium has loaded the page), so the round-by-round live update is
// asserted where the test paces the rounds itself: the "live dashboard" test of @fedbiomed/dashboard.
test('the demo prints the dashboard address and, with --keep-dashboard, serves every round until Ctrl-C', async () => {
  const demo = startCli(['demo', '--rounds', String(ROUNDS), '--updates', '10', '--out', out.path, '--keep-dashboard']);
  const page = await browser.newPage();
  try {
    await until(() => /dashboard: (http\S+)/.test(demo.stdout()) || demo.stderr() !== '', 'the demo to print the dashboard address', 60_000);
    const url = /dashboard: (http\S+)/.exec(demo.stdout())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(url as string);
    await page.waitForFunction((rounds) => (globalThis as unknown as DashboardWindow).fedbiomedDashboard?.charts['global-accuracy']?.data[0]?.length === rounds, ROUNDS, { timeout: 180_000 });
    expect(await chartPoints(page, 'global-accuracy')).toEqual(everyRound(ROUNDS));
    await until(() => demo.stdout().includes(`dashboard still served at ${url}: press Ctrl-C to stop`), 'the demo to finish its rounds', 60_000);
    expect(demo.stdout()).toContain(`fedbiomed researcher dashboard --dir ${join(out.path, 'experiment')}`);
    // The page loaded after the last round shows the same curves.
    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as DashboardWindow).fedbiomedDashboard?.charts['global-accuracy'] !== undefined);
    expect(await chartPoints(page, 'global-accuracy')).toEqual(everyRound(ROUNDS));
    demo.child.kill('SIGINT');
    expect({ code: await demo.exited, stderr: demo.stderr() }).toEqual({ code: 0, stderr: '' });
  } finally {
    await page.close();
    demo.child.kill();
  }
}, 240_000);

describe('fedbiomed researcher dashboard --dir on the finished demo', () => {
  let cli: CliProcess;
  let page: Page;

  beforeAll(async () => {
    cli = startCli(['researcher', 'dashboard', '--dir', join(out.path, 'experiment'), '--port', '0']);
    await until(() => / at (http\S+) /.test(cli.stdout()) || cli.stderr() !== '', 'the dashboard address', 30_000);
    expect(cli.stderr()).toBe('');
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(/ at (http\S+) /.exec(cli.stdout())?.[1] as string);
    await page.waitForFunction(() => (globalThis as unknown as DashboardWindow).fedbiomedDashboard?.charts['local-accuracy'] !== undefined);
  }, 60_000);
  afterAll(async () => {
    await page?.close();
    cli?.child.kill('SIGINT');
    await cli?.exited;
  });

  it('draws one point per round run, per hospital and aggregated, for the global and local metrics', async () => {
    for (const metric of ['accuracy', 'balanced_accuracy', 'roc_auc', 'loss']) {
      expect(await chartPoints(page, `global-${metric}`)).toEqual(everyRound(ROUNDS));
      expect(await chartPoints(page, `local-${metric}`)).toEqual(everyRound(ROUNDS));
    }
  });

  it('draws round durations and bytes per round, shows every hospital replying, and no privacy section without DP', async () => {
    expect(await chartPoints(page, 'durations')).toEqual({ 'round duration': ROUNDS });
    expect(await chartPoints(page, 'bytes')).toEqual({ 'sent to nodes': ROUNDS, 'received from nodes': ROUNDS });
    // 14 float32 parameters (13 weights and a bias) each way per hospital: 4 × 56 bytes.
    const bytes = await page.evaluate(() => (globalThis as unknown as DashboardWindow).fedbiomedDashboard.charts['bytes']?.data.slice(1));
    expect(bytes).toEqual([Array(ROUNDS).fill(4 * 56), Array(ROUNDS).fill(4 * 56)]);
    const rows = await page.locator('#participation-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(rows).toEqual(HOSPITALS.map((hospital) => [hospital, ...Array(ROUNDS).fill('replied')]));
    expect(await page.locator('#privacy').isVisible()).toBe(false);
    expect(await page.locator('#status').textContent()).toBe(`${ROUNDS} rounds completed.`);
  });

  it('has no serious accessibility violation (axe-core); the screenshot for the README is taken here', async () => {
    expect((await takeReadmeScreenshot(page, SCREENSHOT)).length).toBeGreaterThan(10_000);
    const context = await browser.newContext({ bypassCSP: true }); // axe-core is injected as an inline script
    const axePage = await context.newPage();
    await axePage.goto(page.url());
    await axePage.waitForFunction(() => (globalThis as unknown as DashboardWindow).fedbiomedDashboard?.charts['local-accuracy'] !== undefined);
    expect(await seriousAccessibilityViolations(axePage)).toEqual([]);
    await context.close();
  });
});

test('fedbiomed researcher dashboard names a folder that is not an experiment and exits 2', async () => {
  const empty = makeTempDir('fedbiomed-dashboard-empty-');
  try {
    const cli = startCli(['researcher', 'dashboard', '--dir', empty.path, '--port', '0']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain(`error: ${empty.path} holds neither events.jsonl nor metrics.json`);
  } finally {
    empty.dispose();
  }
});
