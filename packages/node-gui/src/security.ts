/**
 * Who is asking and whether they may: the session cookie (HttpOnly, SameSite=Strict, Secure under
 * TLS) resolved against the node's user registry, the same-origin check on every state-changing
 * request, and the role each route needs. Pages answer an anonymous visitor with the login page;
 * the JSON API answers 401, and both answer 403 to a user whose role is too low.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRecord, UserRole } from '@fedbiomed/node';

/** The session cookie's name. */
export const SESSION_COOKIE = 'fedbiomed_session';

const RANK: Record<UserRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` grants at least `needed`. */
export function grants(role: UserRole, needed: UserRole): boolean {
  return RANK[role] >= RANK[needed];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, `null` for an anonymous request. */
    user: UserRecord | null;
  }
}

/** Methods that change nothing: no origin or CSRF check. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** Whether the request is for the JSON API (answers JSON, never a page). */
export function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/** An HTTP error with its status, raised by the checks and rendered by the server's error handler. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Refuses a state-changing request whose `Origin` (or, without one, `Sec-Fetch-Site`) shows it
 * came from another site, before the body is read: SameSite cookies and the CSRF token are the
 * other two locks on the same door.
 */
export function checkSameOrigin(request: FastifyRequest): void {
  if (isSafeMethod(request.method)) return;
  const origin = request.headers.origin;
  const own = `${request.protocol}://${request.host}`;
  if (origin !== undefined && origin !== own) throw new HttpError(403, `cross-site request refused: Origin ${origin} is not ${own}`);
  if (origin === undefined && request.headers['sec-fetch-site'] === 'cross-site') throw new HttpError(403, 'cross-site request refused (Sec-Fetch-Site: cross-site)');
}

/** Route option: the least role that may call the route (default: any signed-in user). */
export function requireRole(needed: UserRole) {
  return async (request: FastifyRequest): Promise<void> => {
    const user = request.user;
    if (user === null) throw new HttpError(401, 'sign in first');
    if (!grants(user.role, needed)) throw new HttpError(403, `${user.name} is ${user.role}; this needs the ${needed} role`);
  };
}

/** Routes open to anonymous visitors. */
const PUBLIC_PATHS = new Set(['/login']);

/**
 * Resolves the session cookie into `request.user` on every request and turns anonymous requests
 * away from everything but the login page and the static files.
 */
export function installAuthentication(app: FastifyInstance, sessionUser: (token: string) => UserRecord | undefined): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    checkSameOrigin(request);
    const token = request.cookies[SESSION_COOKIE];
    request.user = token === undefined ? null : (sessionUser(token) ?? null);
    const path = request.url.split('?')[0] ?? '';
    if (request.user !== null || PUBLIC_PATHS.has(path) || path.startsWith('/static/')) return;
    if (isApi(request) || !isSafeMethod(request.method)) throw new HttpError(401, 'sign in first');
    await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
  });
}
