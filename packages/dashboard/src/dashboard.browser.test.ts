import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, seriousAccessibilityViolations } from '@fedbiomed/test-utils';
import type { RoundResult } from '@fedbiomed/researcher';
import { RoundBoard, type RoundView } from './round-board';
import { startDashboardServer, type RunningDashboard } from './dashboard-server';
import { openExperimentFolder } from './experiment-folder';
import { serveExperimentFolder } from './serve';
import { chartPoints, waitForChart } from './dashboard-page.test.helper';

// Real Chromium (Debian's, through playwright-core) on the real Fastify server over loopback.
// Without a browser, launchChromium() throws a BrowserMissingError saying how to install one.
const FIXTURE = join(__dirname, '..', 'fixtures', 'dp-experiment');
const HOSTILE = '<script>alert(1)</script>';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('dashboard of a finished experiment folder (DP fixture)', () => {
  let dashboard: RunningDashboard;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    dashboard = await serveExperimentFolder(FIXTURE, { follow: false });
    // The server's Content-Security-Policy would block an injected inline script anyway: bypass it,
    // so these tests check the escaping itself (and let axe-core be injected).
    page = await browser.newPage({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(dashboard.url);
    await waitForChart(page, 'global-accuracy');
  }, 60_000);
  afterAll(async () => {
    await page?.close();
    await dashboard?.close();
  });

  it('draws global and local curves per node and aggregated, one point per round a node replied', async () => {
    expect(await chartPoints(page, 'global-accuracy')).toEqual({ 'All nodes (sample-weighted)': 3, 'Hôpital Cochin': 3, [HOSTILE]: 2 });
    expect(await chartPoints(page, 'local-loss')).toEqual({ 'All nodes (sample-weighted)': 3, 'Hôpital Cochin': 3, [HOSTILE]: 2 });
    expect(await chartPoints(page, 'durations')).toEqual({ 'round duration': 3 });
    expect(await chartPoints(page, 'bytes')).toEqual({ 'sent to nodes': 3, 'received from nodes': 3 });
  });

  it("shows the privacy spent when the events carry ε: the experiment's and each node's dataset's", async () => {
    expect(await page.locator('#privacy').isVisible()).toBe(true);
    expect(await chartPoints(page, 'epsilon')).toEqual({ experiment: 3, 'Hôpital Cochin': 3 });
    const data = await page.evaluate(() => {
      const chart = (globalThis as unknown as { fedbiomedDashboard: { charts: Record<string, { data: number[][] }> } }).fedbiomedDashboard.charts['epsilon'];
      return chart?.data.slice(1);
    });
    expect(data).toEqual([
      [0.42, 0.73, 1.05],
      [0.31, 0.55, 0.8],
    ]);
  });

  it('shows who was selected, replied and dropped in each round', async () => {
    const rows = await page.locator('#participation-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(rows).toEqual([
      [HOSTILE, 'replied', 'dropped (TIMEOUT)', 'replied'],
      ['Hôpital Cochin', 'replied', 'replied', 'replied'],
    ]);
  });

  it(`renders a node named ${HOSTILE} as text: no script runs, no element is made of it`, async () => {
    expect(dialogs).toEqual([]);
    expect(await page.getByRole('rowheader', { name: HOSTILE, exact: true }).count()).toBe(1);
    // Every script on the page is one of the two files the server serves; none came from a node name.
    expect(await page.locator('script').evaluateAll((scripts) => scripts.map((s) => (s.getAttribute('src') ?? '').replace(/^.*\//, '')).sort())).toEqual(
      expect.arrayContaining(['dashboard.js', 'uPlot.iife.min.js']),
    );
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(await page.locator('.u-legend').first().textContent()).toContain(HOSTILE);
  });

  it('serves the page with a Content-Security-Policy that allows only its own scripts', async () => {
    const response = await fetch(dashboard.url);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('<title>Fed-BioMed dashboard: dp-fixture</title>');
  });

  it('has no serious accessibility violation (axe-core)', async () => {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});

describe('live dashboard', () => {
  it('a point appears on the curves when a round completes, without reloading the page', async () => {
    const board = new RoundBoard('live-test');
    const dashboard = await startDashboardServer(board);
    const page = await browser.newPage();
    try {
      await page.goto(dashboard.url);
      await page.getByText('0 rounds completed.').waitFor();
      const { board: recorded, close } = openExperimentFolder(FIXTURE);
      close();
      const [first, second] = recorded.state().rounds;
      board.apply({ type: 'round-started', round: 1, selected: ['node-cochin', 'node-x'] });
      await page.getByText('round 1 running (0/2 replied)').waitFor();
      board.apply({ type: 'round-completed', result: fixtureResult(first) });
      await waitForChart(page, 'global-accuracy');
      expect(await chartPoints(page, 'global-accuracy')).toEqual({ 'All nodes (sample-weighted)': 1, 'Hôpital Cochin': 1, [HOSTILE]: 1 });
      board.apply({ type: 'round-completed', result: fixtureResult(second) });
      await page.waitForFunction(() => (globalThis as unknown as { fedbiomedDashboard: { charts: Record<string, { data: unknown[][] }> } }).fedbiomedDashboard.charts['global-accuracy']?.data[0]?.length === 2);
      expect(await chartPoints(page, 'global-accuracy')).toEqual({ 'All nodes (sample-weighted)': 2, 'Hôpital Cochin': 2, [HOSTILE]: 1 });
    } finally {
      await page.close();
      await dashboard.close();
    }
  });
});

/** A round of the fixture back as the researcher's RoundResult (the fields the board reads). */
function fixtureResult(view: RoundView | undefined): RoundResult {
  if (view === undefined) throw new Error('fixture round missing');
  const names: Record<string, string> = { 'node-cochin': 'Hôpital Cochin', 'node-x': HOSTILE };
  const metrics = (values: Readonly<Record<string, number>> | undefined) => (values === undefined ? {} : { values: { ...values }, sampleCount: 25 });
  return {
    round: view.round,
    startedAtMs: 0,
    durationMs: view.durationMs ?? 0,
    selected: view.selected,
    nodes: view.replied.map((nodeId) => ({
      nodeId,
      nodeName: names[nodeId] ?? nodeId,
      datasetId: 'ds',
      sampleCount: 100,
      numUpdates: 1,
      backend: 'cpu',
      metricsBefore: metrics(view.global.nodes[nodeId]) as { values: Record<string, number>; sampleCount: number },
      timing: { queuedMs: 0, trainingMs: 1, evaluationMs: 1, totalMs: 2, roundTripMs: 3 },
    })),
    failures: view.dropped.map((drop) => ({ ...drop, nodeName: names[drop.nodeId] ?? drop.nodeId })),
    metricsBefore: { values: { ...view.global.aggregated }, sampleCount: 50 },
    metricsAfter: { values: { ...view.local.aggregated }, sampleCount: 50 },
    fitMetrics: {},
  };
}
