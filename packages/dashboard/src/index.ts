/**
 * The researcher's dashboard: per-round curves of global and local metrics per node and
 * aggregated, round durations, participation, bytes sent and received, and privacy spent, served
 * by Fastify to a browser page drawn with uPlot and updated by server-sent events. Live from a
 * running `Experiment` ({@link serveDashboard}) or from an experiment folder ({@link serveExperimentFolder}).
 * @packageDocumentation
 */
export { DASHBOARD_ERROR_CODES, DashboardError, type DashboardErrorCode } from './errors';
export { RoundBoard, type BoardEvent, type BoardState, type BoardUpdate, type PhaseMetrics, type RoundView } from './round-board';
export { openExperimentFolder, type ExperimentFolder, type ExperimentFolderOptions } from './experiment-folder';
export { parseEventLine, parseMetricsJson } from './event-files';
export { startDashboardServer, type DashboardServerOptions, type RunningDashboard } from './dashboard-server';
export { serveDashboard, serveExperimentFolder } from './serve';
export { dashboardPage, escapeHtml } from './page';
