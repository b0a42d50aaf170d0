// Workspace-level tests: module boundaries, generated contract freshness, docs that run (docs/, guides/), benchmarks' quick variants (bench/).
const preset = require('../jest.preset.js')(__dirname);

module.exports = { ...preset, displayName: 'workspace', roots: ['<rootDir>/workspace', '<rootDir>/guides', '<rootDir>/docs', '<rootDir>/bench'] };
