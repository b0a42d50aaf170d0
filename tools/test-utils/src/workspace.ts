import { resolve } from 'node:path';

/** Root of the monorepo. */
export const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
