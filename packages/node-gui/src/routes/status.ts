import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { followLog } from '../log-follower';
import { readLog, readNodeStatus } from '../node-status';
import type { GuiContext } from '../context';

/** Lines of the log sent when a browser connects, before the live ones. */
const BACKLOG = 50;

/** The status page, its live panel, the log stream (server-sent events) and `/api/status`. */
export function registerStatusRoutes(app: FastifyInstance, context: GuiContext): void {
  const { node, render } = context;
  const logFile = join(node.paths.logs, 'node.log');
  const status = () => readNodeStatus(logFile, node.paths.lock);

  app.get('/status', async (request, reply) => {
    await render(request, reply, 'status', { title: 'Node status', section: 'status', status: status(), config: node.config });
  });
  // Re-rendered by the page's script when a log line says something changed.
  app.get('/status/panel', async (request, reply) => {
    await render(request, reply, 'status-panel', { title: 'Node status', section: 'status', status: status(), config: node.config });
  });
  app.get('/api/status', async () => status());

  // Streams stay open until the browser leaves: closing the server ends them, or it would wait forever.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.get('/events', (request, reply) => {
    reply.hijack();
    const out = reply.raw;
    streams.add(out);
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    const send = (line: object): void => {
      out.write(`data: ${JSON.stringify(line)}\n\n`);
    };
    for (const line of readLog(logFile).slice(-BACKLOG)) send(line);
    const follow = followLog(logFile, send);
    const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      streams.delete(out);
      follow.stop();
      clearInterval(keepAlive);
    });
  });
}
