// SIMD kernels for the tfjs `wasm` backend, compiled by AssemblyScript into a module that imports
// the backend's own memory: tensors are passed as byte offsets into that heap, so no data is copied
// in or out. The module has no data segment and allocates nothing, so it never writes outside the
// output tensors it is given. Build: `node packages/training/scripts/build-simd-kernels.mjs`.

/**
 * Sum over the leading rows of a row-major [rows, width] float32 matrix into `out` [width], with
 * float64 accumulators (the bias gradients of convolutions sum tens of thousands of rows).
 */
export function sumRows(x: usize, out: usize, rows: i32, width: i32): void {
  const stride = (<usize>width) << 2;
  let k = 0;
  for (; k + 4 <= width; k += 4) {
    let low = f64x2.splat(0);
    let high = f64x2.splat(0);
    let p = x + ((<usize>k) << 2);
    for (let r = 0; r < rows; r++) {
      const v = v128.load(p);
      low = f64x2.add(low, f64x2.promote_low_f32x4(v));
      high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      p += stride;
    }
    const target = out + ((<usize>k) << 2);
    store<f32>(target, <f32>f64x2.extract_lane(low, 0));
    store<f32>(target + 4, <f32>f64x2.extract_lane(low, 1));
    store<f32>(target + 8, <f32>f64x2.extract_lane(high, 0));
    store<f32>(target + 12, <f32>f64x2.extract_lane(high, 1));
  }
  for (; k < width; k++) {
    let total: f64 = 0;
    let p = x + ((<usize>k) << 2);
    for (let r = 0; r < rows; r++) {
      total += <f64>load<f32>(p);
      p += stride;
    }
    store<f32>(out + ((<usize>k) << 2), <f32>total);
  }
}

/**
 * Gradient of a 2-D max pool (NHWC) given the pool's output `y`: in each window, the first input
 * equal to the window's maximum receives the output gradient, as in tfjs' cpu backend. Vectorised
 * over channels: a lane mask marks the windows whose maximum is already taken. `dx` must be zeroed
 * by the caller; overlapping windows accumulate.
 */
export function maxPoolGrad(
  x: usize,
  y: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  inHeight: i32,
  inWidth: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  filterHeight: i32,
  filterWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const vectorEnd = channels & ~3;
  let outOffset: usize = 0;
  for (let b = 0; b < batch; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      const rowStart = yr * strideHeight - padTop;
      for (let yc = 0; yc < outWidth; yc++) {
        const colStart = yc * strideWidth - padLeft;
        let k = 0;
        for (; k < vectorEnd; k += 4) {
          const at = outOffset + ((<usize>k) << 2);
          const maximum = v128.load(y + at);
          const gradient = v128.load(dy + at);
          let taken = i32x4.splat(0);
          for (let wr = 0; wr < filterHeight; wr++) {
            const xr = rowStart + wr;
            if (xr < 0 || xr >= inHeight) continue;
            for (let wc = 0; wc < filterWidth; wc++) {
              const xc = colStart + wc;
              if (xc < 0 || xc >= inWidth) continue;
              const index = ((<usize>(((b * inHeight + xr) * inWidth + xc) * channels + k)) << 2);
              const hit = v128.andnot(f32x4.eq(v128.load(x + index), maximum), taken);
              v128.store(dx + index, f32x4.add(v128.load(dx + index), v128.and(gradient, hit)));
              taken = v128.or(taken, hit);
            }
          }
        }
        for (; k < channels; k++) {
          const at = outOffset + ((<usize>k) << 2);
          const maximum = load<f32>(y + at);
          let done = false;
          for (let wr = 0; wr < filterHeight && !done; wr++) {
            const xr = rowStart + wr;
            if (xr < 0 || xr >= inHeight) continue;
            for (let wc = 0; wc < filterWidth; wc++) {
              const xc = colStart + wc;
              if (xc < 0 || xc >= inWidth) continue;
              const index = ((<usize>(((b * inHeight + xr) * inWidth + xc) * channels + k)) << 2);
              if (load<f32>(x + index) == maximum) {
                store<f32>(dx + index, load<f32>(dx + index) + load<f32>(dy + at));
                done = true;
                break;
              }
            }
          }
        }
        outOffset += (<usize>channels) << 2;
      }
    }
  }
}

/**
 * Filter gradient of a 2-D convolution (NHWC input, HWIO filter, no dilation), computed directly:
 * dW[i, j, c, o] = Σ_{n,y,x} x[n, y·sh + i − top, x·sw + j − left, c] · dy[n, y, x, o], one filter
 * row (i, j, c) and 16 output channels at a time, their sums held in registers across all positions.
 * Fast when kh·kw·Ci is small (first layers), where im2col or the convolution form spend their time
 * on copies.
 */
export function conv2dFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  inHeight: i32,
  inWidth: i32,
  inChannels: i32,
  outHeight: i32,
  outWidth: i32,
  outChannels: i32,
  filterHeight: i32,
  filterWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const xStep = (<usize>(strideWidth * inChannels)) << 2;
  const dyStep = (<usize>outChannels) << 2;
  for (let i = 0; i < filterHeight; i++) {
    for (let j = 0; j < filterWidth; j++) {
      // Output columns whose input column xo·sw − left + j lies inside the image.
      let first = 0;
      while (first < outWidth && first * strideWidth - padLeft + j < 0) first++;
      let last = outWidth;
      while (last > first && (last - 1) * strideWidth - padLeft + j >= inWidth) last--;
      for (let c = 0; c < inChannels; c++) {
        const row = dw + ((<usize>(((i * filterWidth + j) * inChannels + c) * outChannels)) << 2);
        let o = 0;
        for (; o + 16 <= outChannels; o += 16) {
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          for (let b = 0; b < batch; b++) {
            for (let y = 0; y < outHeight; y++) {
              const xr = y * strideHeight - padTop + i;
              if (xr < 0 || xr >= inHeight) continue;
              let source = x + ((<usize>(((b * inHeight + xr) * inWidth + first * strideWidth - padLeft + j) * inChannels + c)) << 2);
              let gradient = dy + ((<usize>(((b * outHeight + y) * outWidth + first) * outChannels + o)) << 2);
              for (let xo = first; xo < last; xo++) {
                const s = f32x4.splat(load<f32>(source));
                a0 = f32x4.add(a0, f32x4.mul(s, v128.load(gradient)));
                a1 = f32x4.add(a1, f32x4.mul(s, v128.load(gradient, 16)));
                a2 = f32x4.add(a2, f32x4.mul(s, v128.load(gradient, 32)));
                a3 = f32x4.add(a3, f32x4.mul(s, v128.load(gradient, 48)));
                source += xStep;
                gradient += dyStep;
              }
            }
          }
          const target = row + ((<usize>o) << 2);
          v128.store(target, a0);
          v128.store(target, a1, 16);
          v128.store(target, a2, 32);
          v128.store(target, a3, 48);
        }
        for (; o < outChannels; o++) {
          let total: f32 = 0;
          for (let b = 0; b < batch; b++) {
            for (let y = 0; y < outHeight; y++) {
              const xr = y * strideHeight - padTop + i;
              if (xr < 0 || xr >= inHeight) continue;
              let source = x + ((<usize>(((b * inHeight + xr) * inWidth + first * strideWidth - padLeft + j) * inChannels + c)) << 2);
              let gradient = dy + ((<usize>(((b * outHeight + y) * outWidth + first) * outChannels + o)) << 2);
              for (let xo = first; xo < last; xo++) {
                total += load<f32>(source) * load<f32>(gradient);
                source += xStep;
                gradient += dyStep;
              }
            }
          }
          store<f32>(row + ((<usize>o) << 2), total);
        }
      }
    }
  }
}
