import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrainingPlan } from '@fedbiomed/proto';
import { checkPluginsInstalled, definePlugin, findPlugin, registerPlugin, TrainingError, type FedbiomedPlugin, type RegisteredPlugin } from '@fedbiomed/training';
import { NodeError } from './errors';
import type { NodeConfig } from './config';
import type { NodeLogger } from './logger';
import type { NodePaths } from './node-folder';

/**
 * Loads the plug-ins the node's config lists (`plugins`), in order, and registers their losses,
 * metrics and layer classes in this process. Each package is resolved from the node folder first
 * (`npm install <package>` there), then from where `@fedbiomed/node` is installed; its export must
 * be a `definePlugin(...)` whose name and version match its package.json. A package already
 * registered at that version (a second call in one process) is skipped.
 *
 * @throws NodeError PLUGIN_LOAD_FAILED naming the package and what is wrong with it
 */
export async function loadNodePlugins(node: { readonly config: NodeConfig; readonly paths: NodePaths; readonly logger: NodeLogger }): Promise<RegisteredPlugin[]> {
  const loaded: RegisteredPlugin[] = [];
  for (const name of node.config.plugins) {
    const plugin = await importPlugin(name, node.paths.root);
    const known = findPlugin(name);
    const registered = known?.version === plugin.version ? known : register(plugin);
    node.logger.info(
      { plugin: `${registered.name}@${registered.version}`, losses: registered.losses, metrics: registered.metrics, layers: registered.layers },
      `plug-in ${registered.name}@${registered.version} loaded`,
    );
    loaded.push(registered);
  }
  return loaded;
}

/**
 * Why this node cannot run a plan that needs plug-ins it has not loaded (at their exact version),
 * with what its operator would install; `undefined` when it has them all (or the plan is malformed,
 * which later checks report).
 */
export function missingPluginMessage(plan: TrainingPlan): string | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(plan.canonicalJson ?? '');
  } catch {
    return undefined;
  }
  try {
    checkPluginsInstalled(plan.name ?? '', raw);
    return undefined;
  } catch (error) {
    if (error instanceof TrainingError && error.code === 'PLUGIN_MISSING') return withInstallAdvice(error.message);
    throw error;
  }
}

/** A `PLUGIN_MISSING` message with what the node's operator would do about it. */
export function withInstallAdvice(message: string): string {
  return `${message}; the node's operator would install it (npm install <package>@<version> in the node folder) and list the package in "plugins" of config.json`;
}

function register(plugin: FedbiomedPlugin): RegisteredPlugin {
  try {
    return registerPlugin(plugin);
  } catch (error) {
    throw new NodeError('PLUGIN_LOAD_FAILED', `plug-in ${plugin.name}: ${(error as Error).message}`, { cause: error });
  }
}

async function importPlugin(name: string, nodeDir: string): Promise<FedbiomedPlugin> {
  const entry = resolvePackage(name, nodeDir);
  const manifest = readManifest(name, entry);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (error) {
    throw new NodeError('PLUGIN_LOAD_FAILED', `plug-in ${name} (${entry}) failed to load: ${(error as Error).message}`, { cause: error });
  }
  const candidate = pluginExport(module);
  if (candidate === undefined) {
    throw new NodeError(
      'PLUGIN_LOAD_FAILED',
      `plug-in ${name} (${entry}) exports no plug-in: expected \`export default definePlugin({...})\` or \`export const plugin = definePlugin({...})\`; it exports ${exportNames(module).join(', ') || 'nothing'}`,
    );
  }
  let plugin: FedbiomedPlugin;
  try {
    plugin = definePlugin(candidate as FedbiomedPlugin);
  } catch (error) {
    throw new NodeError('PLUGIN_LOAD_FAILED', `plug-in ${name} (${entry}): ${(error as Error).message}`, { cause: error });
  }
  if (plugin.name !== manifest.name || plugin.version !== manifest.version) {
    throw new NodeError(
      'PLUGIN_LOAD_FAILED',
      `plug-in ${name}: its definition says ${plugin.name}@${plugin.version} but its package.json says ${manifest.name}@${manifest.version}; the two must agree (rebuild or reinstall the package)`,
    );
  }
  return plugin;
}

/** The package's entry file, from the node folder, else from where this package is installed. */
function resolvePackage(name: string, nodeDir: string): string {
  const from = [join(nodeDir, 'package.json'), __filename];
  for (const base of from) {
    try {
      return createRequire(base).resolve(name);
    } catch {
      // not installed there: try the next place
    }
  }
  throw new NodeError(
    'PLUGIN_LOAD_FAILED',
    `plug-in ${name} is not installed: not found from the node folder ${nodeDir} nor beside @fedbiomed/node (${dirname(__filename)}); run \`npm install ${name}\` in the node folder, or remove it from "plugins" in config.json`,
  );
}

/** The package.json of the package holding `entry` (the nearest one naming `name`). */
function readManifest(name: string, entry: string): { name: string; version: string } {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name === name && typeof manifest.version === 'string') return { name, version: manifest.version };
  }
  throw new NodeError('PLUGIN_LOAD_FAILED', `plug-in ${name} (${entry}): no package.json naming ${name} with a version above its entry file`);
}

/** A module's export names; for CommonJS, those of `module.exports` (which an import exposes as `default`). */
function exportNames(module: Record<string, unknown>): string[] {
  const commonJs = module['default'];
  const inner = typeof commonJs === 'object' && commonJs !== null ? Object.keys(commonJs) : [];
  return [...new Set([...Object.keys(module).filter((key) => key !== 'default' || inner.length === 0), ...inner])];
}

/** The plug-in among a module's exports: `default` or `plugin`, also as compiled CommonJS exposes them. */
function pluginExport(module: Record<string, unknown>): unknown {
  const looksLikePlugin = (value: unknown): boolean =>
    typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string' && 'version' in value;
  const inner = (value: unknown): unknown[] =>
    typeof value === 'object' && value !== null ? [(value as Record<string, unknown>)['default'], (value as Record<string, unknown>)['plugin']] : [];
  return [module['default'], module['plugin'], ...inner(module['default'])].find(looksLikePlugin);
}
