// Workspace-level tests: module boundaries, generated contract freshness.
const preset = require('../jest.preset.js')(__dirname);

module.exports = { ...preset, displayName: 'workspace', roots: ['<rootDir>/workspace'] };
