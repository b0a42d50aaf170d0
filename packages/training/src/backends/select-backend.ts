import * as tf from '@tensorflow/tfjs';

import { TrainingError } from '../errors';
import { activateWebGpu } from '../webgpu';
import { activate } from './activate';
import { activateWasm } from './wasm-backend';

/** A tfjs backend this package can select, fastest first. */
export type BackendKind = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Why one candidate was or was not taken. */
export interface BackendAttempt {
  readonly kind: BackendKind;
  readonly ok: boolean;
  readonly reason: string;
}

/** The backend now active and how it was chosen. */
export interface BackendSelection {
  readonly kind: BackendKind;
  /** tfjs backend name (`tf.getBackend()`), e.g. `tensorflow`, `webgpu`, `wasm`, `cpu`. */
  readonly backend: string;
  /** One line for logs: what was chosen and why the faster candidates were not. */
  readonly reason: string;
  readonly attempts: readonly BackendAttempt[];
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Try GPU backends first (`@tensorflow/tfjs-node-gpu`, then `webgpu`); the proto's `useGpu`. */
  readonly preferGpu?: boolean;
  /** Restrict the candidates, e.g. `['wasm', 'cpu']` in tests. */
  readonly allow?: readonly BackendKind[];
}

type Probe = () => Promise<string>;

/**
 * Activates the fastest tfjs backend available here and says which and why. Candidates by
 * priority: `@tensorflow/tfjs-node-gpu` and `webgpu` (with `preferGpu`), `@tensorflow/tfjs-node`,
 * `wasm` (SIMD build, with this package's gradient kernels), `cpu`. Optional backends are loaded
 * with a dynamic import only when tried; none is a dependency.
 *
 * It also puts tfjs in production mode (`tf.enableProdMode()`, tfjs' public switch for its console
 * warnings): otherwise the cpu backend prints its "install our node backend" banner on first use,
 * advice the returned `reason` already answers (why tfjs-node was not taken).
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  tf.enableProdMode();
  const order: BackendKind[] = options.preferGpu ? ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] : ['tensorflow', 'wasm', 'cpu'];
  const candidates = order.filter((kind) => !options.allow || options.allow.includes(kind));
  const attempts: BackendAttempt[] = [];
  for (const kind of candidates) {
    try {
      const detail = await PROBES[kind]();
      attempts.push({ kind, ok: true, reason: detail });
      const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.kind}: ${a.reason}`);
      return {
        kind,
        backend: tf.getBackend(),
        reason: `${kind} (${detail})${skipped.length ? `; not taken: ${skipped.join('; ')}` : ''}`,
        attempts,
      };
    } catch (err) {
      attempts.push({ kind, ok: false, reason: (err as Error).message.split('\n')[0]! });
    }
  }
  throw new TrainingError(
    'BACKEND_UNAVAILABLE',
    `no tfjs backend could start: ${attempts.map((a) => `${a.kind}: ${a.reason}`).join('; ') || 'no candidate allowed'}`,
  );
}

const PROBES: Record<BackendKind, Probe> = {
  'tensorflow-gpu': () => nodeBinding('@tensorflow/tfjs-node-gpu'),
  tensorflow: () => nodeBinding('@tensorflow/tfjs-node'),
  webgpu: activateWebGpu,
  wasm: activateWasm,
  cpu: async () => {
    await activate('cpu');
    return 'pure JavaScript, slowest';
  },
};

async function nodeBinding(pkg: string): Promise<string> {
  try {
    require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed (it downloads libtensorflow at install time, outside the npm registry)`);
  }
  await import(pkg);
  await activate('tensorflow');
  return `${pkg}, native libtensorflow`;
}

