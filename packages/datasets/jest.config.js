// nifti-reader-js is ESM-only: production code loads it with a native `import()`, but jest runs
// CommonJS, so here it is mapped to its file and compiled to CommonJS like our sources.
const path = require('node:path');
const base = require('../../jest.preset.js')(__dirname);

module.exports = {
  ...base,
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^nifti-reader-js$': path.join(__dirname, '..', '..', 'node_modules', 'nifti-reader-js', 'dist', 'nifti.js'),
  },
  transform: {
    ...base.transform,
    '/nifti-reader-js/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!nifti-reader-js/)'],
};
