/**
 * The WebGPU backend for Node, behind its own entry (`@fedbiomed/training/webgpu`) so that nothing
 * loads it by default. Needs the optional packages `webgpu` (Dawn, which provides `navigator.gpu`)
 * and `@tensorflow/tfjs-backend-webgpu`, and a GPU with a Vulkan driver.
 * @packageDocumentation
 */
import { activate } from './backends/activate';

/** The part of npm `webgpu`'s exports used here. */
interface DawnModule {
  create(flags: string[]): { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> };
  globals: Record<string, unknown>;
}

/**
 * Installs `navigator.gpu` from npm `webgpu`, then imports `@tensorflow/tfjs-backend-webgpu` (which
 * registers itself only if `navigator.gpu` already exists), checks that an adapter exists and
 * activates the backend. Throws a one-line reason when any step fails. Returns the adapter's name.
 */
export async function activateWebGpu(): Promise<string> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (err) {
    throw new Error(`npm package "webgpu" cannot load: ${firstLine(err)}`);
  }
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) {
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  const gpu = g.navigator!.gpu as ReturnType<DawnModule['create']>;
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error('no WebGPU adapter: no GPU with a Vulkan driver found (set VK_DRIVER_FILES to the NVIDIA ICD json on GPU hosts)');
  }
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    throw new Error(`@tensorflow/tfjs-backend-webgpu cannot load: ${firstLine(err)}`);
  }
  await activate('webgpu');
  const info = adapter.info ?? {};
  return `WebGPU on ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'an unnamed adapter'}`;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}
