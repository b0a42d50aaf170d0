// Helpers of the GUI's tests: a real node folder (SQLite file, users made through the node's
// registry), a real training plan, and a cookie-keeping client of the Fastify app.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { initNodeFolder, openNode, type Node, type UserRole } from '@fedbiomed/node';
import { buildPlan, type BuiltPlan } from '@fedbiomed/training';

// Silences tfjs' one-time console advice to install tfjs-node.
tf.env().set('IS_TEST', true);

/** Password of every test user. */
export const PASSWORD = 'correct horse battery';

/** Creates and opens a node folder under `root` with one user per role (`admin`, `operator`, `viewer`). */
export function nodeWithUsers(root: string): Node {
  const dir = join(root, 'node');
  initNodeFolder(dir, { nodeId: 'hospital-gui', nodeName: 'Hospital GUI', researcher: { address: '127.0.0.1:1' } });
  const node = openNode(dir, { env: {} });
  for (const role of ['admin', 'operator', 'viewer'] as UserRole[]) node.users.add(role, role, PASSWORD, 'test setup');
  return node;
}

/** A logistic-regression plan over 30 features (WDBC's), as a researcher builds it. */
export function wdbcPlan(name = 'wdbc-logistic', units = 1): BuiltPlan {
  const model = tf.sequential({
    layers: [
      ...(units > 1 ? [tf.layers.dense({ name: 'hidden', inputShape: [30], units, activation: 'relu' })] : []),
      tf.layers.dense({ name: 'logistic', ...(units > 1 ? {} : { inputShape: [30] }), units: 1, activation: 'sigmoid' }),
    ],
  });
  const plan = buildPlan(model, { name, loss: 'binary_crossentropy', optimizer: { name: 'sgd', learningRate: 0.1 }, metrics: ['accuracy'] });
  model.dispose();
  return plan;
}

/** A browser-like client of the app: keeps cookies, reads the CSRF token from the last page. */
export class GuiClient {
  private readonly cookies = new Map<string, string>();
  /** The token of the last page rendered. */
  csrf = '';

  constructor(private readonly app: FastifyInstance) {}

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.record(await this.app.inject({ method: 'GET', url, headers: { ...headers, cookie: this.cookieHeader() } }));
  }

  /** A form post (`application/x-www-form-urlencoded`) with the page's CSRF token unless `_csrf` is given. */
  async postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...form }).toString();
    return this.record(
      await this.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers, cookie: this.cookieHeader() } }),
    );
  }

  /** A JSON API call; `csrf: false` leaves the token out. */
  async api(method: 'POST' | 'DELETE', url: string, body: object | undefined, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(options.csrf === false ? {} : { 'x-csrf-token': this.csrf }), ...options.headers, cookie: this.cookieHeader() };
    return this.record(await this.app.inject({ method, url, headers, ...(body !== undefined && { payload: body }) }));
  }

  /** Signs in through the login form. */
  async signIn(name: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    await this.get('/login');
    const response = await this.postForm('/login', { name, password, next: '/status' });
    await this.get('/status');
    return response;
  }

  private record(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string }[]) {
      if (cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token !== undefined) this.csrf = token;
    return response;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
