import type { Experiment } from '@fedbiomed/researcher';
import { startDashboardServer, type DashboardServerOptions, type RunningDashboard } from './dashboard-server';
import { openExperimentFolder, type ExperimentFolderOptions } from './experiment-folder';
import { RoundBoard } from './round-board';

/**
 * Serves a live dashboard of a running `Experiment`: the rounds it completed so far, then every
 * round event as it happens. Start it before `experiment.run()`; close it when done.
 *
 * @example
 * const dashboard = await serveDashboard(experiment, { port: 8484 });
 * console.log(`dashboard: ${dashboard.url}`);
 * await experiment.run();
 * await dashboard.close();
 */
export async function serveDashboard(experiment: Experiment, options: DashboardServerOptions = {}): Promise<RunningDashboard> {
  const board = new RoundBoard(experiment.id);
  for (const result of experiment.results) board.apply({ type: 'round-completed', result });
  const unsubscribe = experiment.subscribe((event) => board.apply(event));
  const running = await startDashboardServer(board, options);
  return { url: running.url, close: () => (unsubscribe(), running.close()) };
}

/**
 * Serves the dashboard of an experiment folder (`experimentDir`): a finished experiment, or one
 * another process is running, followed as it writes `events.jsonl` unless `follow` is false.
 */
export async function serveExperimentFolder(
  dir: string,
  options: DashboardServerOptions & ExperimentFolderOptions = {},
): Promise<RunningDashboard> {
  const folder = openExperimentFolder(dir, { follow: options.follow ?? true, ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}), ...(options.onError ? { onError: options.onError } : {}) });
  try {
    const running = await startDashboardServer(folder.board, options);
    return { url: running.url, close: () => (folder.close(), running.close()) };
  } catch (error) {
    folder.close();
    throw error;
  }
}
