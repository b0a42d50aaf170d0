#!/usr/bin/env node
// The `fedbiomed` command that npm links (node_modules/.bin, `npx fedbiomed`). It is committed
// JavaScript, so the link exists on a fresh clone, and it says what to do when the compiled CLI
// does not exist yet instead of npx falling back to the registry.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'bin.js');
if (!existsSync(compiled)) {
  console.error(`fedbiomed: the CLI is not built yet (${compiled} is missing): run \`npm run build\` at the repository root, then run the command again.`);
  process.exit(1);
}
require(compiled);
