// Fastify's test client (light-my-request) requires `cookie` 2, an ES module, which jest cannot
// require on Node 20: SWC compiles that one package to CommonJS like our own sources.
const base = require('../../jest.preset.js')(__dirname);
const [, swc] = base.transform['^.+\\.ts$'];

module.exports = {
  ...base,
  transform: { ...base.transform, '/node_modules/cookie/.+\\.js$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
};
