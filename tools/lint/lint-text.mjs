// Lints source text as if it were the file at the given path, and prints ESLint's messages as
// JSON. Used by the workspace tests to prove forbidden imports fail lint, without writing files.
// Usage: echo '{"filePath": "...", "source": "..."}' | node tools/lint/lint-text.mjs
import { ESLint } from 'eslint';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { filePath, source } = JSON.parse(readFileSync(0, 'utf8'));
// @nx/enforce-module-boundaries silently skips itself when nx has no cached project graph (a fresh
// clone), so compute it first.
execFileSync('node_modules/.bin/nx', ['show', 'projects'], { stdio: 'ignore' });
const eslint = new ESLint({ cwd: process.cwd() });
const [result] = await eslint.lintText(source, { filePath });
process.stdout.write(JSON.stringify(result?.messages ?? []));
