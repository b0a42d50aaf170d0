// Lint rules for the whole monorepo. The module-boundary rule enforces the dependency arrows of
// docs/architecture.md through the nx tags in each package.json: a forbidden import fails lint.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Which packages each package may import, by nx tag. */
export const depConstraints = [
  { sourceTag: 'scope:proto', onlyDependOnLibsWithTags: ['scope:test-utils'] },
  {
    sourceTag: 'scope:strategy',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:proto'],
    bannedExternalImports: ['@tensorflow/*', '@grpc/*'],
  },
  {
    sourceTag: 'scope:transport',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:proto'],
    bannedExternalImports: ['@tensorflow/*'],
  },
  { sourceTag: 'scope:secagg', onlyDependOnLibsWithTags: ['scope:test-utils'], bannedExternalImports: ['@tensorflow/*', '@grpc/*'] },
  { sourceTag: 'scope:datasets', onlyDependOnLibsWithTags: ['scope:test-utils'], bannedExternalImports: ['@grpc/*'] },
  {
    sourceTag: 'scope:training',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:datasets', 'scope:strategy', 'scope:proto'],
    bannedExternalImports: ['@grpc/*'],
  },
  {
    sourceTag: 'scope:node',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:proto', 'scope:transport', 'scope:datasets', 'scope:training', 'scope:strategy', 'scope:secagg'],
  },
  {
    sourceTag: 'scope:node-gui',
    // transport: the tests' TLS certificates only.
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:node', 'scope:datasets', 'scope:training', 'scope:transport'],
  },
  {
    sourceTag: 'scope:researcher',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:proto', 'scope:transport', 'scope:strategy', 'scope:training', 'scope:datasets', 'scope:secagg'],
  },
  {
    sourceTag: 'scope:dashboard',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:researcher'],
    bannedExternalImports: ['@tensorflow/*', '@grpc/*'],
  },
  {
    sourceTag: 'scope:simulation',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:node', 'scope:researcher', 'scope:datasets', 'scope:training', 'scope:strategy', 'scope:transport', 'scope:proto'],
  },
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:simulation', 'scope:node', 'scope:node-gui', 'scope:researcher', 'scope:dashboard', 'scope:datasets', 'scope:training', 'scope:strategy', 'scope:transport', 'scope:proto', 'scope:secagg'],
  },
  { sourceTag: 'scope:test-utils', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'scope:example',
    onlyDependOnLibsWithTags: ['scope:test-utils', 'scope:strategy', 'scope:proto', 'scope:datasets', 'scope:training', 'scope:transport', 'scope:researcher'],
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/proto/src/generated/**', '**/*.js', '**/*.mjs', 'tools/lint-fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
);
