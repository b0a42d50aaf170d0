// Shared jest configuration for every package: tests are TypeScript files beside the code
// (`*.test.ts`), compiled by SWC (type checking is `npm run typecheck`'s job), and workspace
// imports resolve to sources so tests never need a build of their dependencies.
const path = require('node:path');

module.exports = (packageDir) => ({
  displayName: path.basename(packageDir),
  rootDir: packageDir,
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // Honoured when one package's suite runs alone (`nx run <pkg>:test`); the root config repeats it
  // because jest ignores testTimeout inside `projects` entries.
  testTimeout: 60_000,
  moduleNameMapper: {
    '^@fedbiomed/test-utils$': path.join(__dirname, 'tools/test-utils/src/index.ts'),
    '^@fedbiomed/([^/]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^@fedbiomed/([^/]+)/(.+)$': path.join(__dirname, 'packages/$1/src/$2'),
  },
});
