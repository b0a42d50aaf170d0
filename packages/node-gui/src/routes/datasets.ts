import type { FastifyInstance } from 'fastify';
import { datasetTypes } from '@fedbiomed/node';
import { previewDataset, type DatasetPreview } from '../dataset-preview';
import { datasetInputSchema, inputErrorMessage, toAddDatasetInput } from '../inputs';
import { requireRole } from '../security';
import type { GuiContext } from '../context';

type Params = { id: string };

/** Dataset pages (list, add with preview, show, remove) and `/api/datasets`. */
export function registerDatasetRoutes(app: FastifyInstance, context: GuiContext): void {
  const { node, render } = context;
  const types = datasetTypes();
  const operator = { preHandler: requireRole('operator') };
  const page = (form: unknown, extra: { preview?: DatasetPreview; error?: string } = {}) => ({
    title: 'Datasets',
    section: 'datasets' as const,
    datasets: node.datasets.list(),
    types,
    form: form ?? {},
    preview: extra.preview,
    error: extra.error,
  });

  app.get('/datasets', async (request, reply) => {
    await render(request, reply, 'datasets', page({}));
  });

  // The form posts here first: the preview, and the same form again with a "Register" button.
  app.post('/datasets/preview', operator, async (request, reply) => {
    const parsed = datasetInputSchema.safeParse(request.body);
    if (!parsed.success) {
      reply.status(400);
      return render(request, reply, 'datasets', page(request.body, { error: inputErrorMessage(parsed.error) }));
    }
    const preview = await previewDataset({ dataType: parsed.data.type, path: parsed.data.path, options: parsed.data.options });
    await render(request, reply, 'datasets', page(request.body, { preview }));
  });

  app.post('/datasets', operator, async (request, reply) => {
    try {
      const record = await node.datasets.add(toAddDatasetInput(datasetInputSchema.parse(request.body)), request.user!.name);
      await reply.redirect(`/datasets/${encodeURIComponent(record.id)}`, 303);
    } catch (error) {
      reply.status(400);
      await render(request, reply, 'datasets', page(request.body, { error: inputErrorMessage(error) }));
    }
  });

  app.get<{ Params: Params }>('/datasets/:id', async (request, reply) => {
    const dataset = node.datasets.get(request.params.id);
    await render(request, reply, 'dataset', { title: `Dataset ${dataset.name}`, section: 'datasets', dataset });
  });

  app.post<{ Params: Params }>('/datasets/:id/remove', operator, async (request, reply) => {
    node.datasets.remove(request.params.id, request.user!.name);
    await reply.redirect('/datasets', 303);
  });

  app.get('/api/datasets', async () => node.datasets.list());
  app.get<{ Params: Params }>('/api/datasets/:id', async (request) => node.datasets.get(request.params.id));
  app.post('/api/datasets/preview', operator, async (request) => {
    const input = datasetInputSchema.parse(request.body);
    return previewDataset({ dataType: input.type, path: input.path, options: input.options });
  });
  app.post('/api/datasets', operator, async (request, reply) => {
    const record = await node.datasets.add(toAddDatasetInput(datasetInputSchema.parse(request.body)), request.user!.name);
    reply.status(201);
    return record;
  });
  app.delete<{ Params: Params }>('/api/datasets/:id', operator, async (request, reply) => {
    node.datasets.remove(request.params.id, request.user!.name);
    reply.status(204);
  });
}
