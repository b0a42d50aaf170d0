import type { FastifyInstance } from 'fastify';
import { USER_ROLES } from '@fedbiomed/node';
import { inputErrorMessage, newUserSchema, roleSchema } from '../inputs';
import { requireRole } from '../security';
import type { GuiContext } from '../context';

type Params = { name: string };

/** The users and roles page and `/api/users`, for admins only. */
export function registerUserRoutes(app: FastifyInstance, context: GuiContext): void {
  const { node, render } = context;
  const admin = { preHandler: requireRole('admin') };
  const page = (error?: string) => ({ title: 'Users and roles', section: 'users' as const, users: node.users.list(), roles: USER_ROLES, error });

  app.get('/users', admin, async (request, reply) => render(request, reply, 'users', page()));
  app.post('/users', admin, async (request, reply) => {
    try {
      const input = newUserSchema.parse(request.body);
      node.users.add(input.name, input.role, input.password, request.user!.name);
    } catch (error) {
      reply.status(400);
      return render(request, reply, 'users', page(inputErrorMessage(error)));
    }
    await reply.redirect('/users', 303);
  });
  app.post<{ Params: Params }>('/users/:name/role', admin, async (request, reply) => {
    node.users.setRole(request.params.name, roleSchema.parse(request.body).role, request.user!.name);
    await reply.redirect('/users', 303);
  });
  app.post<{ Params: Params }>('/users/:name/remove', admin, async (request, reply) => {
    node.users.remove(request.params.name, request.user!.name);
    await reply.redirect('/users', 303);
  });

  app.get('/api/users', admin, async () => node.users.list());
  app.post('/api/users', admin, async (request, reply) => {
    const input = newUserSchema.parse(request.body);
    reply.status(201);
    return node.users.add(input.name, input.role, input.password, request.user!.name);
  });
}
