import type { FastifyInstance } from 'fastify';
import type { Decision, Node, PlanRecord } from '@fedbiomed/node';
import { auditQuerySchema, decisionSchema } from '../inputs';
import { planView } from '../plan-view';
import { requireRole } from '../security';
import type { GuiContext } from '../context';

type Params = { sha256: string };
const VERBS = ['approve', 'reject'] as const;

/** Records an operator's decision through the node's plan registry, audited under their name. */
function decide(node: Node, verb: (typeof VERBS)[number], sha256: string, decision: Decision): PlanRecord {
  return verb === 'approve' ? node.plans.approve(sha256, decision) : node.plans.reject(sha256, decision);
}

/** The plan list without the canonical JSON, for the API. */
function listing(record: PlanRecord): Omit<PlanRecord, 'canonicalJson'> {
  const { canonicalJson: _json, ...rest } = record;
  return rest;
}

/** Plan pages (list, readable view with diff, approve/reject with a note), the audit log and their API. */
export function registerPlanRoutes(app: FastifyInstance, context: GuiContext): void {
  const { node, render } = context;
  const operator = { preHandler: requireRole('operator') };

  app.get('/plans', async (request, reply) => {
    const plans = node.plans.list();
    await render(request, reply, 'plans', { title: 'Training plans', section: 'plans', plans });
  });

  app.get<{ Params: Params }>('/plans/:sha256', async (request, reply) => {
    const record = node.plans.get(request.params.sha256);
    const view = await planView(record, node.plans.list());
    const requests = node.audit({ planSha256: record.sha256, limit: 50 });
    await render(request, reply, 'plan', { title: `Plan ${record.name}`, section: 'plans', view, requests });
  });

  for (const verb of VERBS) {
    app.post<{ Params: Params }>(`/plans/:sha256/${verb}`, operator, async (request, reply) => {
      const { notes } = decisionSchema.parse(request.body);
      const record = decide(node, verb, request.params.sha256, { by: request.user!.name, ...(notes !== undefined && { notes }) });
      await reply.redirect(`/plans/${record.sha256}`, 303);
    });
    app.post<{ Params: Params }>(`/api/plans/:sha256/${verb}`, operator, async (request) => {
      const { notes } = decisionSchema.parse(request.body ?? {});
      return listing(decide(node, verb, request.params.sha256, { by: request.user!.name, ...(notes !== undefined && { notes }) }));
    });
  }

  app.get('/audit', async (request, reply) => {
    const query = auditQuerySchema.parse(request.query);
    await render(request, reply, 'audit', { title: 'Audit log', section: 'audit', query, entries: auditEntries(node, query) });
  });

  app.get('/api/plans', async () => node.plans.list().map(listing));
  app.get<{ Params: Params }>('/api/plans/:sha256', async (request) => {
    const record = node.plans.get(request.params.sha256);
    const { summary, layers, diffs } = await planView(record, node.plans.list());
    return { ...listing(record), summary, layers, diffs };
  });
  app.get('/api/audit', async (request) => auditEntries(node, auditQuerySchema.parse(request.query)));
}

/** The audit log filtered by plan and action in SQL, and by actor here. */
function auditEntries(node: Node, query: ReturnType<typeof auditQuerySchema.parse>) {
  const entries = node.audit({ ...(query.plan !== undefined && { planSha256: query.plan }), ...(query.action !== undefined && { action: query.action }) });
  return entries.filter((entry) => query.actor === undefined || entry.actor === query.actor).slice(0, query.limit);
}
