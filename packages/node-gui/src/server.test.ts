import type { FastifyInstance } from 'fastify';
import { bundledDataset, makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import type { Node } from '@fedbiomed/node';
import { GuiClient, nodeWithUsers, PASSWORD, wdbcPlan } from './gui-test-support.test.helper';
import { createGuiServer } from './server';
import { startGui } from './start-gui';

// The GUI's Fastify app over a real node folder (SQLite file, the node's registries), driven
// through HTTP injection: what the browser tests check on screen, checked here request by request.
const WDBC_OPTIONS = JSON.stringify({ header: false, skipLines: 1, label: 30, task: 'classification' });

let dir: TempDir;
let node: Node;
let app: FastifyInstance;

beforeEach(async () => {
  dir = makeTempDir('fedbiomed-gui-server-');
  node = nodeWithUsers(dir.path);
  app = await createGuiServer({ node, loginAttemptsPerMinute: 5 });
});

afterEach(async () => {
  await app.close();
  node.close();
  dir.dispose();
});

describe('anonymous requests', () => {
  it('send pages to the login form and answer the API with 401', async () => {
    const client = new GuiClient(app);
    const page = await client.get('/datasets');
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/login?next=%2Fdatasets');
    expect((await client.get('/api/datasets')).statusCode).toBe(401);
    const plan = node.plans.submit(wdbcPlan().plan, { by: 'researcher-1' });
    await client.get('/login');
    const approve = await client.api('POST', `/api/plans/${plan.sha256}/approve`, {});
    expect(approve.statusCode).toBe(401);
    expect(node.plans.get(plan.sha256).approval.status).toBe('pending');
  });

  it('cannot sign in with a wrong password, and the attempts are rate-limited', async () => {
    const client = new GuiClient(app);
    await client.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await client.postForm('/login', { name: 'operator', password: 'wrong password!' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Even the right password is refused until the window passes.
    expect((await client.postForm('/login', { name: 'operator', password: PASSWORD })).statusCode).toBe(429);
    expect(node.audit({ action: 'user.login' }).map((e) => e.outcome)).toEqual(['refused', 'refused', 'refused', 'refused', 'refused']);
  });
});

describe('a signed-in operator', () => {
  it('gets an HttpOnly, SameSite=Strict session cookie', async () => {
    const client = new GuiClient(app);
    const response = await client.signIn('operator');
    expect(response.statusCode).toBe(303);
    const session = (response.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find((c) => c.name === 'fedbiomed_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('approves a plan through the API with a CSRF token, recorded under their name', async () => {
    const plan = node.plans.submit(wdbcPlan().plan, { by: 'researcher-1' });
    const client = new GuiClient(app);
    await client.signIn('operator');
    const response = await client.api('POST', `/api/plans/${plan.sha256}/approve`, { notes: 'checked the layers' });
    expect(response.statusCode).toBe(200);
    expect(node.plans.get(plan.sha256).approval).toMatchObject({ status: 'approved', by: 'operator', notes: 'checked the layers' });
    expect(node.audit({ planSha256: plan.sha256, action: 'plan.approve' })).toEqual([
      expect.objectContaining({ actor: 'operator', outcome: 'approved', detail: 'checked the layers' }),
    ]);
  });

  it('is refused without a CSRF token, with a wrong one, and from a foreign Origin', async () => {
    const plan = node.plans.submit(wdbcPlan().plan, { by: 'researcher-1' });
    const client = new GuiClient(app);
    await client.signIn('operator');
    expect((await client.api('POST', `/api/plans/${plan.sha256}/approve`, {}, { csrf: false })).statusCode).toBe(403);
    expect((await client.postForm(`/plans/${plan.sha256}/approve`, { _csrf: 'forged-token' })).statusCode).toBe(403);
    const foreign = await client.api('POST', `/api/plans/${plan.sha256}/approve`, {}, { headers: { origin: 'https://evil.example' } });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toEqual({ error: expect.objectContaining({ message: expect.stringContaining('cross-site request refused') }) });
    const crossSite = await client.api('POST', `/api/plans/${plan.sha256}/approve`, {}, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.statusCode).toBe(403);
    expect(node.plans.get(plan.sha256).approval.status).toBe('pending');
  });

  it('previews and registers a CSV through the node registry, and a bad file is a clear error', async () => {
    const client = new GuiClient(app);
    await client.signIn('operator');
    const path = bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv');
    const preview = await client.api('POST', '/api/datasets/preview', { type: 'csv', path, options: JSON.parse(WDBC_OPTIONS) as object });
    expect(preview.statusCode).toBe(200);
    const body = preview.json<{ rowCount: number; columns: { name: string; isLabel: boolean; type: string }[]; labelBalance: { label: string; count: number }[]; validation: { ok: boolean } }>();
    expect(body.rowCount).toBe(569);
    expect(body.columns).toHaveLength(31);
    expect(body.columns[30]).toEqual(expect.objectContaining({ isLabel: true, type: 'number' }));
    expect(body.labelBalance).toEqual([{ label: '1', count: 357 }, { label: '0', count: 212 }]);
    expect(body.validation.ok).toBe(true);

    const page = await client.postForm('/datasets', { type: 'csv', path, options: WDBC_OPTIONS, tags: 'wdbc, breast', name: 'WDBC', description: '' });
    expect(page.statusCode).toBe(303);
    const [record] = node.datasets.list();
    expect(record).toMatchObject({ name: 'WDBC', tags: ['wdbc', 'breast'], sampleCount: 569 });
    expect(node.audit({ action: 'dataset.add' })[0]).toMatchObject({ actor: 'operator', datasetId: record!.id });
    const shown = await client.get(`/datasets/${record!.id}`);
    expect(shown.body).toContain('<h1>Dataset <span class="name">WDBC</span></h1>');
    expect((await client.postForm(`/datasets/${record!.id}/remove`, {})).statusCode).toBe(303);
    expect(node.datasets.list()).toEqual([]);
    expect(node.audit({ action: 'dataset.remove' })[0]).toMatchObject({ actor: 'operator', datasetId: record!.id });
    expect((await client.api('DELETE', `/api/datasets/${record!.id}`, undefined)).statusCode).toBe(404);

    const bad = dir.write('bad.csv', 'a,b,label\n1,2,0\n3,,1\n');
    const refused = await client.api('POST', '/api/datasets', { type: 'csv', path: bad, tags: ['bad'], options: { label: 'label' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'INVALID_DATASET', message: expect.stringContaining('bad.csv') });
  });

  it('sees a dataset name with markup as text, never as markup', async () => {
    const path = bundledDataset('breast_cancer_wisconsin', 'breast_cancer.csv');
    await node.datasets.add({ dataType: 'csv', path, options: JSON.parse(WDBC_OPTIONS) as Record<string, unknown>, tags: ['x'], name: '<script>alert(1)</script>' }, 'test');
    const client = new GuiClient(app);
    await client.signIn('operator');
    const page = await client.get('/datasets');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });
});

describe('after sign-in', () => {
  it('goes back to the page asked for, never to another host', async () => {
    const client = new GuiClient(app);
    await client.get('/login');
    const back = await client.postForm('/login', { name: 'viewer', password: PASSWORD, next: '/plans?x=1' });
    expect(back.headers.location).toBe('/plans?x=1');
    for (const next of ['//evil.example/', '/\\evil.example/', 'https://evil.example/']) {
      const other = new GuiClient(app);
      await other.get('/login');
      expect((await other.postForm('/login', { name: 'viewer', password: PASSWORD, next })).headers.location).toBe('/status');
    }
  });
});

describe('roles', () => {
  it('a viewer reads plans but cannot approve them (403 on the page and the API)', async () => {
    const plan = node.plans.submit(wdbcPlan().plan, { by: 'researcher-1' });
    const client = new GuiClient(app);
    await client.signIn('viewer');
    const page = await client.get(`/plans/${plan.sha256}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('id="approve"');
    expect((await client.postForm(`/plans/${plan.sha256}/approve`, {})).statusCode).toBe(403);
    const api = await client.api('POST', `/api/plans/${plan.sha256}/approve`, {});
    expect(api.statusCode).toBe(403);
    expect(api.json<{ error: { message: string } }>().error.message).toContain('viewer is viewer; this needs the operator role');
    expect((await client.api('POST', '/api/datasets', { type: 'csv', path: '/nonexistent', tags: ['t'] })).statusCode).toBe(403);
    expect(node.plans.get(plan.sha256).approval.status).toBe('pending');
  });

  it('only admins manage users; a new user is audited under the admin', async () => {
    const operator = new GuiClient(app);
    await operator.signIn('operator');
    expect((await operator.get('/users')).statusCode).toBe(403);
    expect((await operator.get('/api/users')).statusCode).toBe(403);

    const admin = new GuiClient(app);
    await admin.signIn('admin');
    expect((await admin.get('/users')).statusCode).toBe(200);
    expect((await admin.postForm('/users', { name: 'dana', role: 'operator', password: 'another long one' })).statusCode).toBe(303);
    expect(node.users.get('dana').role).toBe('operator');
    expect(node.audit({ action: 'user.add' })[0]).toMatchObject({ actor: 'admin', detail: 'dana as operator' });
    const weak = await admin.postForm('/users', { name: 'eve', role: 'viewer', password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('at least 10 characters');
    const unknownRole = await admin.postForm('/users', { name: 'eve', role: 'root', password: 'long enough pw' });
    expect(unknownRole.statusCode).toBe(400);
    expect(unknownRole.body).toMatch(/role: Invalid option: expected one of &quot;admin&quot;\|&quot;operator&quot;\|&quot;viewer&quot;/);
  });
});

describe('the plan page', () => {
  it('shows layers with output shapes and parameter counts, and the diff against the version approved before', async () => {
    const before = node.plans.submit(wdbcPlan().plan, { by: 'researcher-1' });
    node.plans.approve(before.sha256, { by: 'alice' });
    const after = node.plans.submit(wdbcPlan('wdbc-logistic', 8).plan, { by: 'researcher-1' });
    const client = new GuiClient(app);
    await client.signIn('viewer');
    const api = (await client.get(`/api/plans/${after.sha256}`)).json<{ layers: { name: string; outputShape: string; parameters: number }[]; diffs: { sha256: string; parts: { change: string; text: string }[] }[] }>();
    expect(api.layers).toEqual([
      expect.objectContaining({ name: 'hidden', outputShape: '[batch,8]', parameters: 248 }),
      expect.objectContaining({ name: 'logistic', outputShape: '[batch,1]', parameters: 9 }),
    ]);
    expect(api.diffs).toHaveLength(1);
    expect(api.diffs[0]!.sha256).toBe(before.sha256);
    expect(api.diffs[0]!.parts.filter((p) => p.change === 'added').map((p) => p.text).join('')).toMatch(/hidden\s+Dense\s+248/);
    expect(api.diffs[0]!.parts.filter((p) => p.change === 'removed').map((p) => p.text).join('')).toMatch(/Total parameters: 31/);
    const page = await client.get(`/plans/${after.sha256}`);
    expect(page.body).toContain('researcher-1');
    expect(page.body).toContain(after.sha256);
  });
});

describe('startGui', () => {
  it('refuses a non-loopback host without TLS, naming the flags', async () => {
    await expect(startGui(node, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/--tls-cert and --tls-key, or --allow-plain-http/);
  });
});
