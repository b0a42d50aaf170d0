import { request } from 'node:https';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import type { Node } from '@fedbiomed/node';
import { createCertificateAuthority, issueCertificate } from '@fedbiomed/transport';
import { PASSWORD, nodeWithUsers } from './gui-test-support.test.helper';
import { startGui, type RunningGui } from './start-gui';

// The GUI over HTTPS on loopback with a certificate issued by the project's own PKI
// (`@fedbiomed/transport`, what `fedbiomed certs` uses): the session cookie is then Secure.
let dir: TempDir;
let node: Node;
let gui: RunningGui | undefined;

afterEach(async () => {
  await gui?.close();
  node.close();
  dir.dispose();
});

/** One HTTPS request trusting only `ca`; resolves with status, headers and body. */
function fetchTls(url: string, ca: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, ca }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

test('over TLS a non-loopback address is allowed and the session cookie is Secure, HttpOnly and SameSite=Strict', async () => {
  dir = makeTempDir('fedbiomed-gui-tls-');
  node = nodeWithUsers(dir.path);
  const ca = await createCertificateAuthority();
  const server = await issueCertificate(ca, { role: 'researcher', commonName: 'localhost', hostnames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  // 0.0.0.0 would be refused without TLS (see server.test.ts).
  gui = await startGui(node, { host: '0.0.0.0', port: 0, tls: { cert: server.certPem, key: server.keyPem } });
  const port = new URL(gui.url).port;
  const base = `https://127.0.0.1:${port}`;
  expect(gui.url).toMatch(/^https:/);

  const login = await fetchTls(`${base}/login`, ca.certPem);
  expect(login.status).toBe(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(login.body)![1]!;
  const csrfCookie = (login.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]).join('; ');
  expect((login.headers['set-cookie'] as string[]).join('\n')).toMatch(/_csrf=.*Secure/);
  const signedIn = await fetchTls(`${base}/login`, ca.certPem, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ _csrf: token, name: 'operator', password: PASSWORD }).toString(),
  });
  expect(signedIn.status).toBe(303);
  const session = (signedIn.headers['set-cookie'] as string[]).find((c) => c.startsWith('fedbiomed_session='));
  expect(session).toMatch(/; HttpOnly/);
  expect(session).toMatch(/; Secure/);
  expect(session).toMatch(/; SameSite=Strict/);
});
