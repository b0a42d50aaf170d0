// The browser harness every web-interface test builds on: Debian's Chromium through playwright-core,
// axe-core injected into the page. Pages are served over real HTTP on loopback.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { BrowserMissingError, chromiumPath, launchChromium, seriousAccessibilityViolations } from '@fedbiomed/test-utils';

const PAGES: Record<string, string> = {
  '/unlabelled': '<!doctype html><html lang="en"><head><title>t</title></head><body><main><input type="text"></main></body></html>',
  '/labelled':
    '<!doctype html><html lang="en"><head><title>t</title></head><body><main><label for="q">Query</label><input id="q" type="text"></main></body></html>',
};

let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  server = createServer((request, response) => {
    const page = PAGES[request.url ?? ''];
    response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page ?? 'not found');
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

test('a form field without a label is a serious accessibility violation', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/unlabelled`);
  const violations = await seriousAccessibilityViolations(page);
  expect(violations.map((violation) => violation.id)).toContain('label');
  await page.close();
});

test('the same page with its label has no serious violation', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/labelled`);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  await page.close();
});

test('a missing browser is an error that says how to install one, not a skip', () => {
  const saved = process.env['CHROMIUM_PATH'];
  process.env['CHROMIUM_PATH'] = '/nonexistent/chromium';
  try {
    expect(() => chromiumPath()).toThrow(BrowserMissingError);
    expect(() => chromiumPath()).toThrow(/apt-get install chromium/);
  } finally {
    if (saved === undefined) delete process.env['CHROMIUM_PATH'];
    else process.env['CHROMIUM_PATH'] = saved;
  }
});
