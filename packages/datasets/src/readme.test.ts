/**
 * The README's missing-value example, run as written (transpiled, `@fedbiomed/datasets` bound to
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

it('the missing-values example prints what the README says', async () => {
  const { outputText } = ts.transpileModule(docBlock(README, 'missing-values'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const body = outputText.replace(/\nmain\(\);\s*$/, '\nreturn main();\n');
  expect(body).not.toBe(outputText);
  const printed: string[] = [];
  const capture = { log: (...values: unknown[]) => printed.push(values.map(String).join(' ')) };
  const load = (name: string): unknown => {
    if (!(name in MODULES)) throw new Error(`the example imports ${name}, which this test does not provide`);
    return MODULES[name];
  };
  await new Function('require', 'exports', 'console', body)(load, {}, capture);
  expect(`${printed.join('\n')}\n`).toBe(docBlock(README, 'missing-values-output'));
});
