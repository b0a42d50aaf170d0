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
    // nifti-reader-js is ESM-only: production code loads it with a native `import()`, but jest runs
    // CommonJS, so it is mapped to its file (below) and compiled to CommonJS like our sources, for
    // every package whose tests open medical folders in-process.
    '/nifti-reader-js/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!nifti-reader-js/)'],
  // Honoured when one package's suite runs alone (`nx run <pkg>:test`); the root config repeats it
  // because jest ignores testTimeout inside `projects` entries.
  testTimeout: 60_000,
  moduleNameMapper: {
    '^@fedbiomed/test-utils$': path.join(__dirname, 'tools/test-utils/src/index.ts'),
    '^@fedbiomed/([^/]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^@fedbiomed/([^/]+)/(.+)$': path.join(__dirname, 'packages/$1/src/$2'),
    '^nifti-reader-js$': path.join(__dirname, 'node_modules', 'nifti-reader-js', 'dist', 'nifti.js'),
  },
});
