import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { fastify, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NodeError, type Node } from '@fedbiomed/node';
import type { GuiContext } from './context';
import { inputErrorMessage } from './inputs';
import { createRenderer } from './render';
import { registerDatasetRoutes } from './routes/datasets';
import { registerPlanRoutes } from './routes/plans';
import { registerSessionRoutes } from './routes/session';
import { registerStatusRoutes } from './routes/status';
import { registerUserRoutes } from './routes/users';
import { HttpError, installAuthentication, isApi, isSafeMethod } from './security';

/** How the GUI server is built. */
export interface GuiServerOptions {
  /** The node folder, opened (the GUI shares its database with a running node through SQLite). */
  readonly node: Node;
  /** PEM certificate and key: serve HTTPS, and mark cookies Secure. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** How long a sign-in lasts (default 8 hours). */
  readonly sessionTtlMs?: number;
  /** Sign-in attempts allowed per client address and minute (default 10). */
  readonly loginAttemptsPerMinute?: number;
}

const STATUS_OF_NODE_ERROR: Partial<Record<NodeError['code'], number>> = {
  DATASET_NOT_FOUND: 404,
  PLAN_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  USER_EXISTS: 409,
  TAG_CONFLICT: 409,
};

/**
 * Builds the node GUI (not yet listening): server-rendered pages and a JSON API under `/api/` over
 * the node's own registries, with sign-in, roles, CSRF tokens and a rate-limited login.
 */
export async function createGuiServer(options: GuiServerOptions): Promise<FastifyInstance> {
  const secure = options.tls !== undefined;
  const app = fastify({
    logger: false,
    ...(options.tls && { https: { cert: options.tls.cert, key: options.tls.key } }),
  }) as unknown as FastifyInstance;
  const context: GuiContext = {
    node: options.node,
    render: createRenderer(),
    secure,
    sessionTtlMs: options.sessionTtlMs ?? 8 * 3600_000,
    loginAttemptsPerMinute: options.loginAttemptsPerMinute ?? 10,
  };

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyCsrf, { cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure } });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyStatic, { root: join(__dirname, '..', 'public'), prefix: '/static/' });

  app.addHook('onSend', async (_request, reply) => {
    // No inline script or style anywhere: a value that slipped through escaping still could not run.
    // Images may be data: URLs (the preview's thumbnails), which run nothing.
    reply.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
  });
  installAuthentication(app, (token) => options.node.users.sessionUser(token));
  // After the body is parsed: forms carry the token as `_csrf`, API calls as an `x-csrf-token` header.
  app.addHook('preHandler', (request, reply, done) => {
    if (isSafeMethod(request.method)) return done();
    app.csrfProtection(request, reply, done);
  });
  app.setErrorHandler((error: FastifyError | Error, request, reply) => sendError(context, error, request, reply));
  app.setNotFoundHandler((request, reply) => sendError(context, new HttpError(404, `no page at ${request.url}`), request, reply));

  app.get('/', async (_request, reply) => reply.redirect('/status'));
  registerSessionRoutes(app, context);
  registerDatasetRoutes(app, context);
  registerPlanRoutes(app, context);
  registerStatusRoutes(app, context);
  registerUserRoutes(app, context);
  return app;
}

/** The status and message an error stands for. */
function describeError(error: FastifyError | Error): { status: number; code: string; message: string } {
  if (error instanceof HttpError) return { status: error.statusCode, code: `HTTP_${error.statusCode}`, message: error.message };
  if (error instanceof NodeError) return { status: STATUS_OF_NODE_ERROR[error.code] ?? 400, code: error.code, message: error.message };
  if (error instanceof z.ZodError) return { status: 400, code: 'INVALID_ARGUMENT', message: inputErrorMessage(error) };
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : 'INTERNAL';
  return { status, code, message: status === 500 ? `internal error: ${error.message}` : error.message };
}

async function sendError(context: GuiContext, error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { status, code, message } = describeError(error);
  reply.status(status);
  if (isApi(request) || reply.sent) {
    await reply.send({ error: { code, message } });
    return;
  }
  await context.render(request, reply, 'error', { title: `Error ${status}`, section: 'status', status, message });
}
