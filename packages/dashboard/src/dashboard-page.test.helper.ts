import type { Page } from 'playwright-core';

interface DashboardWindow {
  fedbiomedDashboard: { charts: Record<string, { data: (number | null)[][]; series: { label?: string }[] }> };
}

/** Waits until the page drew the chart `id` (e.g. `global-accuracy`). */
export async function waitForChart(page: Page, id: string): Promise<void> {
  await page.waitForFunction((chartId) => (globalThis as unknown as DashboardWindow).fedbiomedDashboard?.charts[chartId] !== undefined, id);
}

/** Per series label of the chart `id`, the number of points in the uPlot instance's data (nulls are gaps, not points). */
export async function chartPoints(page: Page, id: string): Promise<Record<string, number>> {
  return page.evaluate((chartId) => {
    const chart = (globalThis as unknown as DashboardWindow).fedbiomedDashboard.charts[chartId];
    if (chart === undefined) throw new Error(`no chart ${chartId} on the page`);
    return Object.fromEntries(chart.series.slice(1).map((series, index) => [String(series.label), (chart.data[index + 1] ?? []).filter((v) => v !== null && v !== undefined).length]));
  }, id);
}
