/**
 * The README's examples (missing values; survival target and fixed split), run as written (transpiled, `@fedbiomed/datasets` bound to
 * this package's sources), and its output compared with the output the README shows.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { docBlock } from '@fedbiomed/test-utils';
import ts from 'typescript';
import * as datasets from './index';

/** The modules the example may import. */
const MODULES: Readonly<Record<string, unknown>> = { 'node:fs': fs, 'node:os': os, 'node:path': path, '@fedbiomed/datasets': datasets };

const README = 'packages/datasets/README.md';

/** Runs the README's example `id` as written and returns what it printed. */
async function runExample(id: string): Promise<string> {
  const { outputText } = ts.transpileModule(docBlock(README, id), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const body = outputText.replace(/\nmain\(\);\s*$/, '\nreturn main();\n');
  expect(body).not.toBe(outputText);
  const printed: string[] = [];
  const capture = { log: (...values: unknown[]) => printed.push(values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')) };
  const load = (name: string): unknown => {
    if (!(name in MODULES)) throw new Error(`the example imports ${name}, which this test does not provide`);
    return MODULES[name];
  };
  await new Function('require', 'exports', 'console', body)(load, {}, capture);
  return `${printed.join('\n')}\n`;
}

it('the missing-values example prints what the README says', async () => {
  expect(await runExample('missing-values')).toBe(docBlock(README, 'missing-values-output'));
});

it('the survival target and fixed split example prints what the README says', async () => {
  expect(await runExample('survival-split')).toBe(docBlock(README, 'survival-split-output'));
});
