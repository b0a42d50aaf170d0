import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { TrainingError } from '../errors';
import { EXACT_VERSION_PATTERN, NPM_PACKAGE_PATTERN, splitNamespacedName } from '../extension-registry';
import { findPlugin, pluginOfLayer } from '../plugins/plugin-registry';

/**
 * One plug-in package a plan needs, at the exact version approval covers, with the layer classes
 * it provides to the topology (its losses and metrics carry `package@version/` in their names).
 */
export const planPluginSchema = z.strictObject({
  package: z.string().regex(NPM_PACKAGE_PATTERN, 'expected an npm package name'),
  version: z.string().regex(EXACT_VERSION_PATTERN, 'expected an exact version such as 1.2.0'),
  layers: z.array(z.string().min(1)),
});
/** A plan's `plugins` section: absent when the plan needs none (its JSON and hash are then as before plug-ins). */
export const planPluginsSchema = z.array(planPluginSchema).min(1);
/** One entry of a plan's `plugins` section. */
export type PlanPlugin = z.infer<typeof planPluginSchema>;

/** What of a plan names plug-in items. */
interface PluginUses {
  readonly lossName: string;
  readonly metrics: readonly string[];
  readonly plugins?: readonly PlanPlugin[] | undefined;
}

/** `package@version`, as errors and summaries name a plug-in. */
export function pluginId(plugin: { readonly package: string; readonly version: string }): string {
  return `${plugin.package}@${plugin.version}`;
}

/** Every `class_name` of a topology, in order. */
export function topologyClassNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(topologyClassNames);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
    key === 'class_name' && typeof item === 'string' ? [item] : topologyClassNames(item),
  );
}

/**
 * The `plugins` section of a plan being built: the registered plug-ins whose layer classes the
 * topology uses, and the packages its loss and metrics are namespaced by. `undefined` when none.
 */
export function planPluginsOf(uses: Omit<PluginUses, 'plugins'> & { readonly modelTopology: Readonly<Record<string, unknown>> }): PlanPlugin[] | undefined {
  const entries = new Map<string, { package: string; version: string; layers: Set<string> }>();
  const entry = (pkg: string, version: string) => {
    const key = `${pkg}@${version}`;
    const found = entries.get(key) ?? { package: pkg, version, layers: new Set<string>() };
    entries.set(key, found);
    return found;
  };
  for (const className of topologyClassNames(uses.modelTopology)) {
    const plugin = pluginOfLayer(className);
    if (plugin) entry(plugin.name, plugin.version).layers.add(className);
  }
  for (const name of [uses.lossName, ...uses.metrics]) {
    const source = splitNamespacedName(name);
    if (source) entry(source.package, source.version);
  }
  if (entries.size === 0) return undefined;
  return [...entries.values()]
    .sort((a, b) => (pluginId(a) < pluginId(b) ? -1 : 1))
    .map((e) => ({ package: e.package, version: e.version, layers: [...e.layers].sort() }));
}

/**
 * Refuses a plan listing a plug-in this process has not loaded at that exact version: the error
 * names `package@version` (and the version installed, if another). Takes the plan's raw JSON so
 * that this, not an unknown loss or class, is what a node without the plug-in reports.
 *
 * @throws TrainingError `PLUGIN_MISSING`
 */
export function checkPluginsInstalled(planName: string, raw: unknown): void {
  const section = planPluginsSchema.safeParse((raw as { plugins?: unknown } | null)?.plugins);
  if (!section.success) return; // absent or malformed: the plan's schema reports it
  const missing = section.data.filter((needed) => findPlugin(needed.package)?.version !== needed.version);
  if (missing.length === 0) return;
  const described = missing.map((needed) => {
    const installed = findPlugin(needed.package);
    return installed ? `${pluginId(needed)} (installed: ${installed.version})` : pluginId(needed);
  });
  throw new TrainingError('PLUGIN_MISSING', `plan "${planName}" needs the plug-in ${described.join(', ')}, not installed here`);
}

/**
 * Checks a parsed plan's plug-in uses against its `plugins` section and the loaded plug-ins: each
 * namespaced loss or metric names a listed package and version, and each listed layer comes from
 * that plug-in. Returns the layer classes the plan declares: the only plug-in classes its topology
 * may name (tfjs knows every loaded plug-in's classes, but a plan may only use those it lists).
 *
 * @throws TrainingError `MALFORMED_PLAN` or `UNKNOWN_CLASS` naming the item at fault
 */
export function checkPlanPlugins(planName: string, uses: PluginUses): ReadonlySet<string> {
  const listed = uses.plugins ?? [];
  const ids = listed.map(pluginId);
  const packages = listed.map((p) => p.package);
  const twice = packages.find((pkg, i) => packages.indexOf(pkg) !== i);
  if (twice !== undefined) throw new TrainingError('MALFORMED_PLAN', `plan "${planName}" lists the plug-in ${twice} twice`);
  for (const name of [uses.lossName, ...uses.metrics]) {
    const source = splitNamespacedName(name);
    if (source && !ids.includes(`${source.package}@${source.version}`)) {
      throw new TrainingError(
        'MALFORMED_PLAN',
        `plan "${planName}" uses "${name}" but does not list the plug-in ${source.package}@${source.version} in its plugins section`,
      );
    }
  }
  const declared = new Set<string>();
  for (const plugin of listed) {
    for (const className of plugin.layers) {
      if (!findPlugin(plugin.package)?.layers.includes(className)) {
        throw new TrainingError('UNKNOWN_CLASS', `plan "${planName}" takes layer "${className}" from the plug-in ${pluginId(plugin)}, which provides no such layer`);
      }
      declared.add(className);
    }
  }
  return declared;
}

/** Whether a topology may name `className`: built into tfjs, or a plug-in layer the plan declares. */
export function isAllowedClass(className: string, declared: ReadonlySet<string>): boolean {
  if (declared.has(className)) return true;
  return Object.hasOwn(tf.serialization.SerializationMap.getMap().classNameMap, className) && pluginOfLayer(className) === undefined;
}
