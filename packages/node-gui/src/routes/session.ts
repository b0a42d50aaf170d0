import type { FastifyInstance } from 'fastify';
import { loginSchema } from '../inputs';
import type { GuiContext } from '../context';
import { SESSION_COOKIE } from '../security';

/** Only paths of this site may follow a sign-in (no open redirect: browsers read `//x` and `/\\x` as another host). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/status';
}

/** Sign-in (rate-limited per client address) and sign-out. */
export function registerSessionRoutes(app: FastifyInstance, context: GuiContext): void {
  const { node, render } = context;

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>)['next']);
    await render(request, reply, 'login', { title: 'Sign in', section: 'login', next, failed: false });
  });

  app.post(
    '/login',
    { config: { rateLimit: { max: context.loginAttemptsPerMinute, timeWindow: 60_000 } } },
    async (request, reply) => {
      const form = loginSchema.parse(request.body);
      const next = safeNext((request.body as Record<string, unknown>)['next']);
      const user = node.users.verify(form.name, form.password);
      if (user === undefined) {
        node.repository.appendAudit({ actor: form.name.slice(0, 64), action: 'user.login', outcome: 'refused', detail: `from ${request.ip}` });
        reply.status(401);
        await render(request, reply, 'login', { title: 'Sign in', section: 'login', next, failed: true });
        return;
      }
      const session = node.users.openSession(user.name, context.sessionTtlMs);
      node.repository.appendAudit({ actor: user.name, action: 'user.login', outcome: 'done', detail: `from ${request.ip}` });
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: context.secure,
        expires: new Date(session.expiresAt),
      });
      await reply.redirect(next, 303);
    },
  );

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token !== undefined) node.users.closeSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    await reply.redirect('/login', 303);
  });
}
