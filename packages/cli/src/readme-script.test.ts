import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docBlock, WORKSPACE_ROOT } from '@fedbiomed/test-utils';
import { BIN, freePort, initCsvNode, pendingPlans, requireBuiltCli, runCliToEnd, until, writeWdbcParts } from './cli-test-support.test.helper';
import { spawnNode, type LocalNodeProcess } from './local-nodes';

// The top-level README's researcher script, run as a newcomer runs it: saved as a .mjs file inside
// the repository (so `@fedbiomed/*` resolve to the built workspace packages) and started with `node`,
// against three real node processes made with the node CLI, approved through `plan approve`.
describe("the README's researcher script", () => {
  beforeAll(requireBuiltCli);

  const processes: LocalNodeProcess[] = [];
  let work = '';

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  it('waits for the nodes, asks for approval, trains, evaluates and exports the model', async () => {
    mkdirSync(join(WORKSPACE_ROOT, 'out'), { recursive: true });
    work = mkdtempSync(join(WORKSPACE_ROOT, 'out', 'readme-script-'));
    const script = join(work, 'researcher.mjs');
    writeFileSync(script, docBlock('README.md', 'readme-researcher-script'));
    const port = await freePort();
    const token = 's3cret';
    const csvs = writeWdbcParts(work, 3);
    const nodes = csvs.map((csv, i) => ({ dir: join(work, 'nodes', `hospital-${i}`), id: `hospital-${i}`, name: `Hospital ${i}`, researcher: `127.0.0.1:${port}`, token, csv, tags: 'wdbc' }));
    await Promise.all(nodes.map((node) => initCsvNode(node)));

    const child = spawn(process.execPath, [script], { cwd: work, env: { ...process.env, PORT: String(port), FEDBIOMED_ENROLMENT_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => output.includes(`listening on port ${port}`), 'the script to listen');
      const logs = join(work, 'logs');
      mkdirSync(logs);
      for (const node of nodes) processes.push(spawnNode(BIN, node.dir, node.id, logs));

      await until(() => (output.match(/waiting for the operator of /g) ?? []).length === 3, 'the script to ask the three operators', 40_000);
      const pending = await Promise.all(nodes.map((node) => pendingPlans(node.dir)));
      const hash = pending[0]![0]!.sha256;
      expect(pending.map((plans) => plans.map((p) => p.sha256))).toEqual([[hash], [hash], [hash]]);
      for (const node of nodes) expect(output).toContain(`waiting for the operator of ${node.name}: fedbiomed node --path <its folder> plan approve ${hash}`);
      await Promise.all(nodes.map((node) => runCliToEnd(['node', '--path', node.dir, 'plan', 'approve', hash])));

      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(output).toContain('round 5 done');
    const accuracy = Number(/test accuracy (\d\.\d+) on (\d+) samples/.exec(output)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(output).toMatch(/on 14\d samples/);
    expect(existsSync(join(work, 'runs', 'wdbc', 'model', 'model.json'))).toBe(true);
    expect(existsSync(join(work, 'runs', 'wdbc', 'metrics.csv'))).toBe(true);
  }, 120_000);
});
