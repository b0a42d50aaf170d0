import { NodeClient } from '@fedbiomed/transport';
import { requireBuiltCli, startCli, until } from './cli-test-support.test.helper';

describe('fedbiomed researcher start (spawned CLI)', () => {
  beforeAll(requireBuiltCli);

  it('serves nodes, lists them as they join and leave, and stops on SIGINT', async () => {
    const researcher = startCli(['researcher', 'start', '--port', '0', '--token', 'tok']);
    await until(() => /listening on 127\.0\.0\.1:\d+/.test(researcher.stdout()), 'the listening line');
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(researcher.stdout())?.[1];
    const client = new NodeClient({
      address: `127.0.0.1:${port}`,
      nodeId: 'node-7',
      nodeName: 'Hospital 7',
      enrolmentToken: 'tok',
      handler: async () => ({ reply: { ping: {} } }),
    });
    await client.start();
    await until(() => researcher.stdout().includes('node online: Hospital 7 (node-7)'), 'the node online line');
    client.stop();
    await until(() => researcher.stdout().includes('node offline: Hospital 7 (node-7)'), 'the node offline line');
    researcher.child.kill('SIGINT');
    expect(await researcher.exited).toBe(0);
  }, 60_000);

  it('refuses to serve without an enrolment token (exit 2, saying how to give one)', async () => {
    const researcher = startCli(['researcher', 'start', '--port', '0']);
    expect(await researcher.exited).toBe(2);
    expect(researcher.stderr()).toContain('give nodes an enrolment token: --token <token> or $FEDBIOMED_ENROLMENT_TOKEN');
  }, 30_000);
});
