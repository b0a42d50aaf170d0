// The TypeScript examples of the package READMEs, run as a reader would (built packages: `npx tsc -b
// tsconfig.build.json` first), each checked on what it prints.
import { runTsDocBlock } from '@fedbiomed/test-utils';

async function run(file: string, id: string): Promise<string> {
  const { code, stdout, stderr } = await runTsDocBlock(file, id);
  if (code !== 0) throw new Error(`${file} block "${id}" exited with ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  return stdout;
}

describe('package README examples', () => {
  it('proto: checks a protocol version and loads the contracts', async () => {
    const out = await run('packages/proto/README.md', 'proto-example');
    expect(out).toContain('compatible: true');
    expect(out).toContain("[ 'Session' ] 1");
  });

  it('strategy: FedAvg of two replies, registry round trip, DP accountant', async () => {
    expect(await run('packages/strategy/README.md', 'strategy-fedavg-example')).toBe('[ 4, 5, 6 ]\n');
    expect(await run('packages/strategy/README.md', 'strategy-registry-example')).toBe('true\n');
    expect(await run('packages/strategy/README.md', 'strategy-dp-example')).toBe('5.62\n');
  });

  it('secagg: three hospitals, one drops out, the survivors\' weighted mean is unmasked', async () => {
    expect(await run('packages/secagg/README.md', 'secagg-example')).toBe("[ '0.2333', '-0.0667' ] [ 'hospital-a', 'hospital-b' ] [ 'hospital-c' ]\ntrue\n");
  });

  it('strategy-plugin: registers and creates the geometric median by name', async () => {
    expect(await run('examples/strategy-plugin/README.md', 'strategy-plugin-example')).toContain("strategyName: 'example.geometric-median'");
  });

  it('transport: a ping and a tensor over loopback; a node admitted under mutual TLS', async () => {
    const ping = await run('packages/transport/README.md', 'transport-ping-example');
    expect(ping).toContain('hospital-a is online');
    expect(ping).toContain('Float32Array(3) [ 2, 4, 6 ]');
    expect(await run('packages/transport/README.md', 'transport-pki-example')).toContain("[ 'hospital-a online' ]");
  });

  it('simulation: ten virtual nodes on Dirichlet parts of WDBC learn', async () => {
    const out = await run('packages/simulation/README.md', 'simulation-example');
    expect(Number(/10 nodes, accuracy ([\d.]+)/.exec(out)?.[1])).toBeGreaterThan(0.85);
  }, 120_000);

  it('datasets: WDBC metadata, split and standardised batches', async () => {
    const out = await run('packages/datasets/README.md', 'datasets-wdbc-example');
    expect(out).toContain('sampleCount: 569');
    expect(out).toMatch(/^9 \[ 32, 30 \] /m); // the last epoch's batches
  });

  it('training: a plan trained locally on WDBC reaches the accuracy the comment says', async () => {
    const out = await run('packages/training/README.md', 'training-wdbc-example');
    expect(out).toMatch(/^[0-9a-f]{64}$/m); // the plan's hash
    const accuracy = /accuracy: ([\d.]+)[^]*→[^]*accuracy: ([\d.]+)/.exec(out);
    expect(Number(accuracy?.[2])).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
