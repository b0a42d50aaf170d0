// Public API of @fedbiomed/example-loss-plugin: a Fed-BioMed node plug-in.
import { definePlugin } from '@fedbiomed/training';

import { FeatureScale } from './feature-scale';
import { sensitivity } from './sensitivity';
import { weightedBce } from './weighted-bce';

/**
 * The plug-in a node loads when its config lists `@fedbiomed/example-loss-plugin`: plans name its
 * items `@fedbiomed/example-loss-plugin@0.1.0/weighted_bce`, `.../sensitivity` and the layer class
 * `FeatureScale`. Name and version must match package.json (the node checks).
 */
export const plugin = definePlugin({
  name: '@fedbiomed/example-loss-plugin',
  version: '0.1.0',
  description: 'weighted binary cross-entropy, sensitivity, and a per-feature scale layer',
  losses: [weightedBce],
  metrics: [sensitivity],
  layers: [FeatureScale],
});
// Nodes take the default export; ES modules importing this CommonJS build use the named one.
export default plugin;

export { FeatureScale, featureScale } from './feature-scale';
export { sensitivity } from './sensitivity';
export { weightedBce } from './weighted-bce';
