// Runs every package's suite (and the examples' and workspace checks) in one jest invocation.
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const projectConfigs = ['packages', 'examples'].flatMap((folder) =>
  existsSync(join(__dirname, folder))
    ? readdirSync(join(__dirname, folder))
        .map((name) => join(__dirname, folder, name, 'jest.config.js'))
        .filter((config) => existsSync(config))
    : [],
);

module.exports = {
  projects: [...projectConfigs, join(__dirname, 'tools', 'jest.config.js')],
  // Global, not per project: jest ignores testTimeout inside `projects` entries. Generous because the
  // suites spawn processes and open sockets on a 2-core machine shared with other work.
  testTimeout: 60_000,
};
