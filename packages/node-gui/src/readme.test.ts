// Runs packages/node-gui/README.md's two blocks with the built CLI as `fedbiomed` (build first:
// `npx tsc -b tsconfig.build.json`): a node folder with its first admin, then the GUI it serves.
import { existsSync } from 'node:fs';
import { CLI_BIN, freePort, openGuide, type Guide } from '@fedbiomed/test-utils';

describe('packages/node-gui/README.md', () => {
  let guide: Guide;
  let port: number;
  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first with npx tsc -b tsconfig.build.json`);
    port = await freePort();
    guide = openGuide('packages/node-gui/README.md', { substitutions: { '8484': String(port) } });
  });
  afterAll(() => guide.dispose());

  it('creates the first admin and serves the GUI on loopback, behind its sign-in', async () => {
    const setup = await guide.run('node-gui-readme-setup');
    expect(setup.stdout).toContain('added GUI user ada (admin)');
    const gui = guide.start('node-gui-readme-start');
    await gui.waitFor(`node GUI of hospital-a at http://127.0.0.1:${port}`, 60_000);
    const login = await fetch(`http://127.0.0.1:${port}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<h1>Sign in</h1>');
    expect((await fetch(`http://127.0.0.1:${port}/api/status`)).status).toBe(401);
    expect(await gui.stop()).toBe(0);
    guide.finish();
  }, 120_000);
});
