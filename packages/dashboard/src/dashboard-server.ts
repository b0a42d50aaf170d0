import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { DashboardError } from './errors';
import { dashboardPage } from './page';
import type { BoardUpdate, RoundBoard } from './round-board';

/** Where the dashboard listens. */
export interface DashboardServerOptions {
  /** Interface to bind (default `127.0.0.1`: the dashboard shows results to whoever reaches it). */
  readonly host?: string;
  /** Port (default 0: a free port, see {@link RunningDashboard.url}). */
  readonly port?: number;
}

/** A dashboard being served; `close()` ends the live streams and stops the server. */
export interface RunningDashboard {
  /** The page's address, e.g. `http://127.0.0.1:8484/`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The page's own script and style. */
const PUBLIC_DIR = join(__dirname, '..', 'public');
/** uPlot's browser build, served from node_modules: the page loads nothing from elsewhere. */
const UPLOT_DIR = dirname(require.resolve('uplot'));

// The page loads its scripts and styles from this server only; no inline script runs.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Serves a {@link RoundBoard} over HTTP with Fastify: the page at `/`, its state as JSON at
 * `/api/state`, and every change as server-sent events at `/api/events` (a `state` event first,
 * then one `round` event per change).
 */
export async function startDashboardServer(board: RoundBoard, options: DashboardServerOptions = {}): Promise<RunningDashboard> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const streams = new Set<ServerResponse>();
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/' });
  await app.register(fastifyStatic, { root: UPLOT_DIR, prefix: '/vendor/uplot/', decorateReply: false });
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(dashboardPage(board.state().experimentId)));
  app.get('/api/state', async () => board.state());
  app.get('/api/events', (request, reply) => {
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...SECURITY_HEADERS });
    const send = (update: BoardUpdate): void => {
      stream.write(`event: ${update.type}\ndata: ${JSON.stringify(update.type === 'state' ? update.state : { nodes: update.nodes, round: update.round })}\n\n`);
    };
    send({ type: 'state', state: board.state() });
    const unsubscribe = board.subscribe(send);
    streams.add(stream);
    request.raw.on('close', () => {
      unsubscribe();
      streams.delete(stream);
    });
  });
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw new DashboardError('LISTEN_FAILED', `dashboard could not listen on ${host}:${options.port ?? 0}: ${(error as Error).message}`, { cause: error });
  }
  return { url: `http://${urlHost(host)}:${port(app)}/`, close: () => app.close() };
}

function port(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
