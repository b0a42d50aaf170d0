import { join } from 'node:path';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The folder of the page templates (`views/*.eta`), beside `src/` and `dist/`. */
export const VIEWS_DIR = join(__dirname, '..', 'views');

/** Where a page sits in the navigation, for the current-page marker. */
export type Section = 'status' | 'datasets' | 'plans' | 'audit' | 'users' | 'login';

/**
 * Renders server-side pages with Eta, which escapes every `<%= %>` value (autoEscape); the one raw
 * output, `<%~ it.body %>` in the layout, is the page Eta rendered itself.
 */
export function createRenderer(): (request: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown> & { title: string; section: Section }) => Promise<void> {
  const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });
  return async (request, reply, view, data) => {
    const csrf = reply.generateCsrf();
    const html = eta.render(`./${view}`, { ...data, user: request.user, csrf });
    await reply.type('text/html; charset=utf-8').send(html);
  };
}
