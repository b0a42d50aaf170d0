import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Browser tests drive the machine's own Chromium (Debian's `chromium` package) through
 * playwright-core: Playwright's browser downloads come from hosts this project must not reach.
 * `CHROMIUM_PATH` points elsewhere when the browser lives somewhere else.
 */
const CANDIDATE_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Raised when no Chromium can be found: browser tests fail with it rather than pass by skipping. */
export class BrowserMissingError extends Error {
  constructor(looked: readonly string[]) {
    super(
      `no Chromium found for the browser tests (looked at ${looked.join(', ')}). ` +
        'Install it with `apt-get install chromium` (Debian) or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
    this.name = 'BrowserMissingError';
  }
}

/** The Chromium binary the browser tests use, or a {@link BrowserMissingError} saying how to get one. */
export function chromiumPath(): string {
  const looked = process.env['CHROMIUM_PATH'] ? [process.env['CHROMIUM_PATH']] : CANDIDATE_PATHS;
  const found = looked.find((path) => existsSync(path));
  if (found === undefined) throw new BrowserMissingError(looked);
  return found;
}

/** Launches headless Chromium; close it with `browser.close()` in the test's teardown. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox; the pages are our own.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** One accessibility rule broken on a page, as axe-core reports it. */
export interface AccessibilityViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

interface AxeResults {
  violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
}

const axeSource = (): string => readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page as it is now and returns the violations of impact `serious` or
 * `critical` (the ones that block a user of assistive technology).
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  await page.addScriptTag({ content: axeSource() });
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe;
    return axe.run();
  });
  return (results as AxeResults).violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.map(String).join(' ')),
    }));
}

/**
 * Takes the screenshot a README shows. It is always taken (a page that cannot render fails the test),
 * but written into the repository only when `FEDBIOMED_UPDATE_SCREENSHOTS=1`, so an ordinary test run
 * leaves the working tree as it found it. Returns the PNG.
 */
export async function takeReadmeScreenshot(page: Page, repositoryPath: string): Promise<Buffer> {
  const png = await page.screenshot({ fullPage: true });
  if (png.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error(`the screenshot for ${repositoryPath} is not a PNG`);
  if (process.env['FEDBIOMED_UPDATE_SCREENSHOTS'] === '1') writeFileSync(repositoryPath, png);
  return png;
}
