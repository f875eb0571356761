/**
 * Feature Affinity (FA, Wang et al. CVPR 2020) and Fast Feature Affinity (FFA, Li, Yang, Yin, Qi, Xin 2023)
 * distillation losses of TECHNIQUES.md §3, on NHWC features: student F_S `[B,H,W,C_s]`, teacher F_T `[B,H',W',C_t]`.
 *
 * Pixels are flattened to `[B, N, C]` (N = H·W, row-major over H then W) and each pixel's channel vector is divided by
 * its ℓ2 norm + 1e-5 (F̂). FA compares the affinities A = F̂F̂ᵀ `[B,N,N]`; FFA compares their products with a Gaussian
 * Z `[N,k]` and never forms an N×N matrix. The teacher is frozen: its branch runs with the tape off (zero gradient).
 *
 * Square roots go through `safeSqrt`: the value is sqrt(x) exactly; the gradient is 1/(2√x) for x > 0 and 0 at
 * x = 0 (PyTorch's `norm` backward convention), so an all-zero pixel (after a ReLU) or an exactly zero loss
 * difference gives a finite gradient instead of NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stableSum } from '../metrics/stableSum';
import { mulberry32, normal } from '../random';
import { withoutGradient } from './distill';

/** Added to each pixel's ℓ2 norm before dividing (as in the FA reference code). */
const PIXEL_NORM_EPS = 1e-5;

/** Elementwise sqrt(x) (x ≥ 0) with gradient dy / (2√x) where x > 0 and 0 where x = 0 (guarded by divNoNan, no epsilon). */
function safeSqrt<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const root = tf.sqrt(input);
    save([root]);
    return {
      value: root,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.divNoNan(tf.scalar(0.5), saved[0]!)),
    };
  });
  return op(x) as T;
}

function checkFeature(what: string, name: string, f: tf.Tensor): void {
  if (f.rank !== 4) throw new Error(`${what}: ${name} must be an NHWC feature [B, H, W, C], got shape [${f.shape}].`);
}

function checkOrder(what: string, order: number): void {
  if (order !== 1 && order !== 2) throw new Error(`${what}: order must be 1 or 2, got ${order}.`);
}

function checkPair(what: string, fs: tf.Tensor4D, ft: tf.Tensor4D): void {
  checkFeature(what, 'the student feature', fs);
  checkFeature(what, 'the teacher feature', ft);
  if (fs.shape[0] !== ft.shape[0]) throw new Error(`${what}: student [${fs.shape}] and teacher [${ft.shape}] must have the same batch size.`);
}

/** NHWC `[B,H,W,C]` → `[B,N,C]` (N = H·W), each pixel's channel vector divided by (its ℓ2 norm + 1e-5): F̂ of FA (Wang et al. CVPR 2020). */
export function normalizedPixels(f: tf.Tensor4D): tf.Tensor3D {
  checkFeature('normalizedPixels', 'the feature', f);
  const [b, h, w, c] = f.shape;
  return tf.tidy(() => {
    const x = tf.reshape(f, [b, h * w, c]);
    const norm = safeSqrt(tf.sum(tf.square(x), -1, true));
    return tf.div(x, tf.add(norm, PIXEL_NORM_EPS)) as tf.Tensor3D;
  });
}

/**
 * Bilinear resize of an NHWC teacher feature `[B,H',W',C]` to `[B,h,w,C]` with half-pixel centres (alignCorners = false,
 * = PyTorch `F.interpolate(mode='bilinear', align_corners=False)`); a clone when already h×w. Differentiable, but the
 * losses below call it with the tape off: the teacher is frozen (FA, Wang et al. CVPR 2020).
 */
export function resizeTeacher(ft: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  checkFeature('resizeTeacher', 'the teacher feature', ft);
  if (ft.shape[1] === h && ft.shape[2] === w) return tf.clone(ft);
  return tf.image.resizeBilinear(ft, [h, w], false, true);
}

/** Teacher F̂_T `[B,N,C_t]` at the student's h×w, as a constant (zero gradient). */
function teacherPixels(ft: tf.Tensor4D, h: number, w: number): tf.Tensor3D {
  return withoutGradient(ft, (t) => normalizedPixels(resizeTeacher(t as tf.Tensor4D, h, w)));
}

/** Affinity F̂F̂ᵀ of an NHWC feature `[B,H,W,C]` → `[B,N,N]`, N = H·W, entries in [−1, 1] (FA, Wang et al. CVPR 2020; for heatmap views). */
export function affinityMatrix(f: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const p = normalizedPixels(f);
    return tf.matMul(p, p, false, true);
  });
}

/** A_S − A_T `[B,N,N]` with the teacher resized to the student's H×W and held constant. */
function affinityDifference(fs: tf.Tensor4D, ft: tf.Tensor4D): tf.Tensor3D {
  const [, h, w] = fs.shape;
  const ps = normalizedPixels(fs);
  const pt = teacherPixels(ft, h, w);
  return tf.sub(tf.matMul(ps, ps, false, true), tf.matMul(pt, pt, false, true));
}

/**
 * Feature Affinity loss (Wang et al. CVPR 2020), NHWC student `[B,H,W,C_s]` vs teacher `[B,H',W',C_t]` (resized to H×W):
 * order 1 Σ_b Σ_ij |A_S − A_T| / N², order 2 sqrt(Σ_b Σ_ij (A_S − A_T)²) / N (safeSqrt). Forms `[B,N,N]`: O(B·C·N²).
 */
export function faLoss(fs: tf.Tensor4D, ft: tf.Tensor4D, order: 1 | 2): tf.Scalar {
  checkPair('faLoss', fs, ft);
  checkOrder('faLoss', order);
  const n = fs.shape[1] * fs.shape[2];
  return tf.tidy(() => {
    const d = affinityDifference(fs, ft);
    if (order === 1) return tf.div(stableSum(tf.abs(d)), n * n) as tf.Scalar;
    return tf.div(safeSqrt(stableSum(tf.square(d))), n) as tf.Scalar;
  });
}

/** F̂ (F̂ᵀ Z): `[B,N,C]` × `[N,k]` → `[B,N,k]`, without forming F̂F̂ᵀ. */
function sketch(p: tf.Tensor3D, z: tf.Tensor2D): tf.Tensor3D {
  const [b, n] = p.shape;
  const zb = tf.broadcastTo(z, [b, n, z.shape[1]]) as tf.Tensor3D;
  return tf.matMul(p, tf.matMul(p, zb, true, false)); // [B,N,C] · [B,C,k]
}

/**
 * Fast Feature Affinity loss (Li, Yang, Yin, Qi, Xin 2023), NHWC student `[B,H,W,C_s]` vs teacher `[B,H',W',C_t]`, Z `[N,k]`:
 * D = F̂_S(F̂_Sᵀ Z) − F̂_T(F̂_Tᵀ Z) `[B,N,k]`; order 1 Σ_b mean_k Σ_rows |D| / N², order 2 sqrt(Σ_b mean_k Σ_rows D²) / N
 * (safeSqrt). Cost O(B·C·N·k); never forms an N×N matrix. Order 2 squared is unbiased for FA order 2 squared.
 */
export function ffaLoss(fs: tf.Tensor4D, ft: tf.Tensor4D, z: tf.Tensor2D, order: 1 | 2): tf.Scalar {
  checkPair('ffaLoss', fs, ft);
  checkOrder('ffaLoss', order);
  const [, h, w] = fs.shape;
  const n = h * w;
  if (z.rank !== 2 || z.shape[0] !== n) {
    throw new Error(`ffaLoss: Z must be [N, k] with N = H·W = ${h}·${w} = ${n} rows (the student's pixels), got shape [${z.shape}].`);
  }
  const k = z.shape[1];
  return tf.tidy(() => {
    const ds = sketch(normalizedPixels(fs), z);
    const dt = sketch(teacherPixels(ft, h, w), z);
    const d = tf.sub(ds, dt);
    if (order === 1) return tf.div(stableSum(tf.abs(d)), k * n * n) as tf.Scalar;
    return tf.div(safeSqrt(tf.div(stableSum(tf.square(d)), k)), n) as tf.Scalar;
  });
}

/** Seeded N(0,1) matrix `[n,k]` (the FFA probe Z, Li et al. 2023), drawn row-major from the engine's mulberry32 + Box–Muller: identical on every backend. */
export function gaussianZ(n: number, k: number, seed: number): tf.Tensor2D {
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(k) && k > 0)) throw new Error(`gaussianZ needs positive integer sizes, got ${n}×${k}.`);
  const rng = mulberry32(seed);
  return tf.tensor2d(
    Float32Array.from({ length: n * k }, () => normal(rng)),
    [n, k],
  );
}

/**
 * What FFA order 1 estimates (Li et al. 2023), NHWC student vs teacher as in faLoss: sqrt(2/π) · Σ_b Σ_i ‖row_i(A_S − A_T)‖₂ / N²
 * (E|mᵀz| = sqrt(2/π)‖m‖ for z ~ N(0, I)). Forms `[B,N,N]`; for tests and the estimator panel, not for training.
 */
export function rowL21Estimate(fs: tf.Tensor4D, ft: tf.Tensor4D): tf.Scalar {
  checkPair('rowL21Estimate', fs, ft);
  const n = fs.shape[1] * fs.shape[2];
  return tf.tidy(() => {
    const rowNorms = safeSqrt(tf.sum(tf.square(affinityDifference(fs, ft)), -1));
    return tf.mul(stableSum(rowNorms), Math.sqrt(2 / Math.PI) / (n * n)) as tf.Scalar;
  });
}
