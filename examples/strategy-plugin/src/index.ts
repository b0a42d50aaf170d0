// Public API of @fedbiomed/example-strategy-plugin.

// --- Strategy ---
export { GeometricMedian, GeometricMedianConfigSchema } from './geometric-median';
export type { GeometricMedianConfig } from './geometric-median';

// --- Registration ---
export { registerGeometricMedian } from './register';
