import { transformSync } from '@swc/core';
import { docBlock } from '@fedbiomed/test-utils';
import * as tf from '@tensorflow/tfjs';

tf.env().set('IS_TEST', true);

/** An `async function` constructor, to run a block whose top level awaits. */
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

/**
 * Runs a README block in this test's module registry: its imports of `@fedbiomed/*` resolve to the
 * sources (as every test here does), and what it logs is returned.
 */
async function runBlock(file: string, id: string): Promise<unknown[][]> {
  const { code } = transformSync(docBlock(file, id), {
    filename: `${id}.ts`,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  const logged: unknown[][] = [];
  const log = { ...console, log: (...values: unknown[]) => logged.push(values) };
  await new AsyncFunction('require', 'exports', 'console', code)(require, {}, log);
  return logged;
}

describe('packages/training/README.md', () => {
  it('"Your own loss or metric": registers a loss and a metric in a script and trains a plan with them', async () => {
    const logged = await runBlock('packages/training/README.md', 'training-custom-loss');
    const values = logged.at(-1)![0] as Record<string, number>;
    expect(Object.keys(values).sort()).toEqual(['loss', 'roc_auc', 'sensitivity']);
    expect(values['sensitivity']).toBeGreaterThanOrEqual(0.9);
    expect(values['roc_auc']).toBeGreaterThanOrEqual(0.95);
  });
});

describe('docs/guides/compression.md', () => {
  it('"In a plan": the summary names the codecs, and 8-bit down is ~4× smaller with the shapes kept', async () => {
    const logged = await runBlock('docs/guides/compression.md', 'compression-plan');
    expect(logged[0]![0]).toBe(
      'Compression:\n  updates sent to the researcher: qsgd {"bits":4,"bucketSize":512,"rotate":true} (delta new − global)\n  global model received: qsgd {"bits":8,"stochastic":false}',
    );
    const [, float32Bytes, compressedBytes, shapes] = /^(\d+) bytes as float32, (\d+) compressed; shapes (.*)$/.exec(String(logged[1]![0]))!;
    expect(Number(float32Bytes)).toBe((30 * 64 + 64 + 64 + 1) * 4);
    expect(Number(float32Bytes) / Number(compressedBytes)).toBeGreaterThan(3.5);
    expect(shapes).toBe('[30, 64] [64] [64, 1] [1]');
  });
});
