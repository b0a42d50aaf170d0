/**
 * Loading the plug-ins a node's config lists, as an operator meets it: spawned CLI processes (build
 * first with `npx tsc -b tsconfig.build.json`) on node folders whose `node_modules` hold the
 * packages, as `npm install` in the folder would leave them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@fedbiomed/test-utils';
import { initNodeFolder } from './node-folder';
import { runNodeCli } from './testing/fixtures';

jest.setTimeout(60_000);

/** Writes `node_modules/<name>` in the node folder: a package.json and an index.js of `source`. */
function installPackage(dir: string, name: string, version: string, source: string): void {
  const root = join(dir, 'node_modules', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  writeFileSync(join(root, 'index.js'), source);
}

describe('node plug-ins (spawned CLI)', () => {
  let tmp: TempDir;
  beforeEach(() => (tmp = makeTempDir('fedbiomed-node-plugins-')));
  afterEach(() => tmp.dispose());

  /** A node folder listing `plugins`, pointed at a port nothing listens on (start fails before dialling). */
  const nodeWith = (plugins: string[]): string => {
    const dir = join(tmp.path, 'node');
    initNodeFolder(dir, { nodeId: 'hospital-a', researcher: { address: '127.0.0.1:1' }, plugins });
    return dir;
  };

  it('refuses to start when a listed plug-in is not installed, and other commands still work', async () => {
    const dir = nodeWith(['@lab/absent-plugin']);
    const start = await runNodeCli(dir, ['start', '--log-format', 'json']);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toContain('plug-in @lab/absent-plugin is not installed: not found from the node folder');
    expect(start.stderr).toContain('run `npm install @lab/absent-plugin` in the node folder');
    const list = await runNodeCli(dir, ['dataset', 'list', '--json']);
    expect({ code: list.code, stdout: list.stdout.trim() }).toEqual({ code: 0, stdout: '[]' });
  });

  it('names a package that exports no plug-in, or one whose version disagrees with its package.json', async () => {
    const dir = nodeWith(['shapeless-plugin']);
    installPackage(dir, 'shapeless-plugin', '1.0.0', 'module.exports = { hello: 1 };');
    const shapeless = await runNodeCli(dir, ['start', '--log-format', 'json']);
    expect(shapeless.code).not.toBe(0);
    expect(shapeless.stderr).toMatch(/plug-in shapeless-plugin \(.*index\.js\) exports no plug-in: expected `export default definePlugin\(\{\.\.\.\}\)`.*; it exports .*hello/);

    installPackage(dir, 'shapeless-plugin', '2.0.0', "module.exports = { plugin: { name: 'shapeless-plugin', version: '1.0.0', metrics: [] } };");
    const stale = await runNodeCli(dir, ['start', '--log-format', 'json']);
    expect(stale.stderr).toContain('plug-in shapeless-plugin: its definition says shapeless-plugin@1.0.0 but its package.json says shapeless-plugin@2.0.0');

    installPackage(dir, 'shapeless-plugin', '2.0.0', "module.exports = { plugin: { name: 'shapeless-plugin', version: '2.0.0', losses: [{ name: 'Bad Name' }] } };");
    const malformed = await runNodeCli(dir, ['start', '--log-format', 'json']);
    expect(malformed.stderr).toMatch(/plug-in shapeless-plugin \(.*\): plug-in "shapeless-plugin": losses\.0\.name: expected a snake_case name/);
  });

  it('refuses a config whose plugins entry is not an npm package name', async () => {
    expect(() => nodeWith(['not a package'])).toThrow(/plugins\.0: expected an npm package name/);
  });
});
