import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import { registerLoss } from '../losses/loss-registry';
import { registerMetric } from '../metrics/metric-registry';
import { definePlugin, pluginItemName, type FedbiomedPlugin } from './plugin';

/** A plug-in registered in this process, by the names plans use. */
export interface RegisteredPlugin {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** `package@version/name` of each loss. */
  readonly losses: readonly string[];
  /** `package@version/name` of each metric. */
  readonly metrics: readonly string[];
  /** Class names of its layers, as a topology names them. */
  readonly layers: readonly string[];
}

const plugins = new Map<string, RegisteredPlugin>();

/**
 * Registers a plug-in's losses and metrics under `package@version/name` and its layer classes with
 * `tf.serialization.registerClass`, so that plans naming them build and train in this process. A
 * node does it for each package its config lists; a researcher does it before `buildPlan`.
 *
 * @throws TrainingError `INVALID_PLUGIN` when the definition is malformed, the package is already
 * registered, or a layer's class name is taken (by tfjs or another plug-in); nothing is registered then
 */
export function registerPlugin(plugin: FedbiomedPlugin): RegisteredPlugin {
  const checked = definePlugin(plugin);
  const known = plugins.get(checked.name);
  if (known) {
    throw new TrainingError('INVALID_PLUGIN', `plug-in ${checked.name} is already registered (version ${known.version})`);
  }
  const classes = tf.serialization.SerializationMap.getMap().classNameMap;
  const taken = checked.layers.find((layer) => Object.hasOwn(classes, layer.className));
  if (taken) {
    throw new TrainingError(
      'INVALID_PLUGIN',
      `plug-in ${checked.name}@${checked.version}: layer class "${taken.className}" is already known to tfjs (built in or from another plug-in); rename it`,
    );
  }
  for (const loss of checked.losses) registerLoss({ ...loss, name: pluginItemName(checked, loss.name) });
  for (const metric of checked.metrics) registerMetric({ ...metric, name: pluginItemName(checked, metric.name) });
  for (const layer of checked.layers) tf.serialization.registerClass(layer);
  const registered: RegisteredPlugin = {
    name: checked.name,
    version: checked.version,
    description: checked.description,
    losses: checked.losses.map((loss) => pluginItemName(checked, loss.name)),
    metrics: checked.metrics.map((metric) => pluginItemName(checked, metric.name)),
    layers: checked.layers.map((layer) => layer.className),
  };
  plugins.set(checked.name, registered);
  return registered;
}

/** The plug-ins registered in this process, by package name. */
export function registeredPlugins(): RegisteredPlugin[] {
  return [...plugins.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The registered plug-in of this package (any version), if any. */
export function findPlugin(packageName: string): RegisteredPlugin | undefined {
  return plugins.get(packageName);
}

/** The registered plug-in providing the layer class `className`, if any. */
export function pluginOfLayer(className: string): RegisteredPlugin | undefined {
  return [...plugins.values()].find((plugin) => plugin.layers.includes(className));
}
