// Lints source text as if it were the file at the given path, and prints ESLint's messages as
// JSON. Used by the workspace tests to prove forbidden imports fail lint, without writing files.
// Usage: echo '{"filePath": "...", "source": "..."}' | node tools/lint/lint-text.mjs
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';

const { filePath, source } = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
const [result] = await eslint.lintText(source, { filePath });
process.stdout.write(JSON.stringify(result?.messages ?? []));
