import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { TrainingError } from '../errors';
import { EXACT_VERSION_PATTERN, NPM_PACKAGE_PATTERN, PLAIN_NAME_PATTERN } from '../extension-registry';
import type { LossDefinition } from '../losses/loss-definition';
import type { MetricDefinition } from '../metrics/metric-definition';

/** A tfjs layer class a plug-in provides: a subclass of `tf.layers.Layer` with a static `className`. */
export type PluginLayerClass = tf.serialization.SerializableConstructor<tf.layers.Layer>;

/** What a plug-in package declares; see {@link definePlugin}. */
export interface PluginDefinition {
  /** The npm package's name, as in its package.json. */
  readonly name: string;
  /** The package's exact version, as in its package.json (nodes check that the two agree). */
  readonly version: string;
  readonly description?: string;
  /** Losses under their plain snake_case names; plans name them `package@version/name`. */
  // Each loss is only ever called with what its own schema parsed, whatever its argument type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly losses?: readonly LossDefinition<any>[];
  /** Metrics under their plain snake_case names; plans name them `package@version/name`. */
  readonly metrics?: readonly MetricDefinition[];
  /** tfjs layer classes; a model's topology names them by their `className`. */
  readonly layers?: readonly PluginLayerClass[];
}

/** A checked plug-in: what a package exports and what `registerPlugin` takes. */
export interface FedbiomedPlugin {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly losses: readonly LossDefinition[];
  readonly metrics: readonly MetricDefinition[];
  readonly layers: readonly PluginLayerClass[];
}

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'expected a function');
const itemName = z.string().regex(PLAIN_NAME_PATTERN, 'expected a snake_case name (the package and version are added when registered)');
const layerClass = z.custom<PluginLayerClass>(
  (value) => {
    const className: unknown = typeof value === 'function' ? (value as { className?: unknown }).className : undefined;
    return typeof className === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(className);
  },
  'expected a tfjs layer class with a static className (letters, digits and "_")',
);
const unique = (items: readonly { name: string }[]): boolean => new Set(items.map((i) => i.name)).size === items.length;

const pluginSchema = z.strictObject({
  name: z.string().regex(NPM_PACKAGE_PATTERN, 'expected an npm package name'),
  version: z.string().regex(EXACT_VERSION_PATTERN, 'expected an exact version such as 1.2.0'),
  description: z.string().default(''),
  losses: z
    .array(z.looseObject({ name: itemName, description: z.string(), target: z.string(), params: z.looseObject({ safeParse: fn }), outputs: fn, fn }))
    .refine(unique, 'two losses share a name')
    .default([]),
  metrics: z
    .array(z.looseObject({ name: itemName, description: z.string(), needs: z.string(), higherIsBetter: z.boolean(), compute: fn }))
    .refine(unique, 'two metrics share a name')
    .default([]),
  layers: z
    .array(layerClass)
    .refine((classes) => new Set(classes.map((c) => c.className)).size === classes.length, 'two layer classes share a className')
    .default([]),
});

/**
 * Checks a plug-in's definition and returns it as the package should export it
 * (`export default definePlugin({...})`). Its losses, metrics and layers become available to plans
 * as `package@version/name` (layers by their class name, the plan listing the package) once a node
 * loads the package or a researcher calls `registerPlugin`.
 *
 * @throws TrainingError `INVALID_PLUGIN` naming the field at fault
 */
export function definePlugin(definition: PluginDefinition): FedbiomedPlugin {
  const parsed = pluginSchema.safeParse(definition);
  if (!parsed.success) {
    const name = typeof (definition as { name?: unknown } | null)?.name === 'string' ? ` "${definition.name}"` : '';
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new TrainingError('INVALID_PLUGIN', `plug-in${name}: ${issues.join('; ')}`);
  }
  // The schema checked the shape; the definitions themselves are kept as given (with their functions).
  return Object.freeze({
    name: parsed.data.name,
    version: parsed.data.version,
    description: parsed.data.description,
    losses: Object.freeze([...(definition.losses ?? [])]) as readonly LossDefinition[],
    metrics: Object.freeze([...(definition.metrics ?? [])]),
    layers: Object.freeze([...(definition.layers ?? [])]),
  });
}

/** The name a plan uses for a plug-in's loss or metric: `package@version/name`. */
export function pluginItemName(plugin: Pick<FedbiomedPlugin, 'name' | 'version'>, item: string): string {
  return `${plugin.name}@${plugin.version}/${item}`;
}
