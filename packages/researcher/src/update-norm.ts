/**
 * How far one node's update may move the model in a round, as a multiple of the global weights' L2
 * norm (or of 1, for a model whose weights start near zero). Honest local training moves a model by
 * a fraction of its norm per round; an update 1000 times larger is an attack (or a diverged node)
 * that would drag a weighted mean anywhere. Robust rules and DP clipping bound smaller ones.
 */
export const MAX_UPDATE_NORM_RATIO = 1_000;

/**
 * Why an update is too large to aggregate, or `undefined`. `local` is the node's new weights, or
 * its delta when `isDelta`. An update holding NaN or ±Infinity is left to the strategy's
 * validation, which names the tensor and index.
 */
export function checkUpdateNorm(local: Float32Array, global: Float32Array, isDelta: boolean): string | undefined {
  let update = 0;
  let base = 0;
  for (let i = 0; i < local.length; i += 1) {
    const g = global[i] as number;
    const step = isDelta ? (local[i] as number) : (local[i] as number) - g;
    update += step * step;
    base += g * g;
  }
  const updateNorm = Math.sqrt(update);
  if (!Number.isFinite(updateNorm)) return undefined;
  const bound = MAX_UPDATE_NORM_RATIO * Math.max(1, Math.sqrt(base));
  if (updateNorm <= bound) return undefined;
  return `update has L2 norm ${updateNorm.toExponential(3)}, above ${MAX_UPDATE_NORM_RATIO} × max(1, ‖global weights‖ = ${Math.sqrt(base).toExponential(3)}) = ${bound.toExponential(3)}; reply refused`;
}
