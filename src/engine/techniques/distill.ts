/**
 * Segmentation losses of TECHNIQUES.md §2 on NHWC logits `[B, H, W, K]` and integer labels
 * `[B, H, W]` (ignore label 255): pixel-wise cross-entropy, OHEM cross-entropy, and the pixel-wise
 * knowledge-distillation loss T² · KL(softmax(z_T/T) ‖ softmax(z_S/T)) (Hinton et al. 2015).
 *
 * Everything here is synchronous and safe inside `tf.variableGrads`: the parts that must not be
 * differentiated (the OHEM pixel selection, the teacher's soft targets) run through
 * `withoutGradient`, i.e. with the tape off and a zero gradient, so one forward pass suffices and
 * nothing is read back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stableMean, stableSum } from '../metrics/stableSum';

export const IGNORE_LABEL = 255;

/**
 * `f(x)` computed with the tape off; its gradient with respect to `x` is zero (a stop-gradient).
 * Use it for selections built from comparison/top-k ops, which have no gradient in tfjs-core: a
 * plain comparison on a taped tensor makes `tf.variableGrads` throw. Any output dtype is cast by
 * the caller; keep `f` free of side effects.
 */
export function withoutGradient<T extends tf.Tensor>(x: tf.Tensor, f: (x: tf.Tensor) => T): T {
  const op = tf.customGrad((...args) => {
    const input = args[0] as tf.Tensor;
    const shape = input.shape;
    return { value: f(input), gradFunc: () => tf.zeros(shape) };
  });
  return op(x) as T;
}

/**
 * One-hot float32 `[..., k]` of int labels (all zeros for an index outside [0, k), such as 255). Built as
 * an int32 oneHot then cast: tfjs-backend-wasm 4.22's OneHot ignores the dtype argument and writes int32
 * bits into a float32 tensor (1 reads back as 1.4e-45), which zeroed every loss on wasm.
 */
export function oneHotFloat(labels: tf.Tensor, k: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.oneHot(asInt(labels) as tf.Tensor1D, k), 'float32'));
}

/** Labels as int32 (a no-op view when already int32). */
function asInt(labels: tf.Tensor): tf.Tensor {
  return labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
}

function checkPixels(what: string, logits: tf.Tensor4D, other: tf.Tensor, otherName: string): void {
  const [b, h, w] = logits.shape;
  if (other.rank !== 3 || other.shape[0] !== b || other.shape[1] !== h || other.shape[2] !== w) {
    throw new Error(`${what}: ${otherName} must be [${b}, ${h}, ${w}] to match logits [${logits.shape}], got [${other.shape}].`);
  }
}

/** Float32 mask [B, H, W]: 1 where the label is not `ignore`, else 0. */
export function validMask(labels: tf.Tensor3D, ignore = IGNORE_LABEL): tf.Tensor3D {
  return tf.tidy(() => tf.cast(tf.notEqual(asInt(labels), ignore), 'float32') as tf.Tensor3D);
}

/** Σ v·m / max(Σ m, 1) over all pixels: the mean over the pixels a 0/1 mask keeps (0 when it keeps none). */
function maskedMean(v: tf.Tensor, m: tf.Tensor): tf.Scalar {
  return tf.div(stableSum(tf.mul(v, m)), tf.maximum(stableSum(m), 1)) as tf.Scalar;
}

/** Per-pixel −log softmax(logits)[label], NHWC logits → [B, H, W]; 0 at ignored pixels. Labels must be in [0, K) or `ignore`. */
export function pixelNll(logits: tf.Tensor4D, labels: tf.Tensor3D): tf.Tensor3D {
  checkPixels('pixelNll', logits, labels, 'labels');
  return tf.tidy(() => {
    // oneHot gives an all-zero row for an out-of-range index such as 255, so ignored pixels get 0.
    const oneHot = oneHotFloat(labels, logits.shape[3]);
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1)) as tf.Tensor3D;
  });
}

/**
 * Per-pixel weight [B,H,W] = classWeights[label] (only ever used times the valid mask): with it the masked mean becomes
 * Σ w·ℓ·m / Σ w·m, PyTorch's `CrossEntropyLoss(weight=…)` mean (weights normalised over the counted pixels).
 */
function labelWeights(labels: tf.Tensor3D, classWeights: tf.Tensor1D): tf.Tensor3D {
  // A lookup, not a second one-hot of [B,H,W,K]: an ignored label is clamped to a class here and zeroed by the mask it is multiplied with.
  // (int32 bounds: a plain number would turn the indices float; wasm's ClipByValue does not clamp int32.)
  return tf.tidy(() => {
    const index = tf.minimum(tf.maximum(asInt(labels), tf.scalar(0, 'int32')), tf.scalar(classWeights.shape[0] - 1, 'int32'));
    return tf.gather(classWeights as tf.Tensor, index) as tf.Tensor3D;
  });
}

/**
 * Pixel-wise softmax cross-entropy of NHWC logits against int labels [B,H,W], mean over the pixels whose label ≠ `ignore`;
 * with `classWeights` [K] the weighted mean Σ w_y·ℓ / Σ w_y (PyTorch's `CrossEntropyLoss(weight=…)`).
 */
export function pixelCrossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D, ignore = IGNORE_LABEL, classWeights?: tf.Tensor1D | null): tf.Scalar {
  return tf.tidy(() => {
    const valid = validMask(labels, ignore);
    return maskedMean(pixelNll(logits, labels), classWeights ? tf.mul(valid, labelWeights(labels, classWeights)) : valid);
  });
}

/**
 * Cross-entropy averaged over the pixels a 0/1 `mask` [B,H,W] keeps and whose label ≠ `ignore` (the mask is a constant);
 * with `classWeights` [K] the weighted mean over those pixels, as pixelCrossEntropy.
 */
export function maskedCrossEntropy(
  logits: tf.Tensor4D,
  labels: tf.Tensor3D,
  mask: tf.Tensor3D,
  ignore = IGNORE_LABEL,
  classWeights?: tf.Tensor1D | null,
): tf.Scalar {
  checkPixels('maskedCrossEntropy', logits, mask, 'mask');
  return tf.tidy(() => {
    const m = tf.mul(mask, validMask(labels, ignore));
    return maskedMean(pixelNll(logits, labels), classWeights ? tf.mul(m, labelWeights(labels, classWeights)) : m);
  });
}

export interface OhemOptions {
  /** Keep valid pixels whose true-class probability is ≤ this (default 0.7), raised to the min_kept-th smallest p when that is higher. */
  threshold?: number;
  /** min_kept = ⌊fraction · B·H·W⌋ over all pixels, ignored ones included (default 1/16, FasterSeg's `B·H·W // 16`). */
  minKeptFraction?: number;
  ignore?: number;
  /** Class weights [K] for the mean over the kept pixels (the selection itself is unweighted, as in the reference); none = 1. */
  classWeights?: tf.Tensor1D | null;
}

export const OHEM_DEFAULTS: Required<Omit<OhemOptions, 'classWeights'>> = { threshold: 0.7, minKeptFraction: 1 / 16, ignore: IGNORE_LABEL };

/**
 * OHEM pixel selection exactly as FasterSeg's reference code (TorchSeg's `ProbOhemCrossEntropy2d`, with
 * `min_kept = B·H·W // 16`), float32 0/1 mask [B,H,W]:
 * - min_kept = ⌊minKeptFraction · B·H·W⌋ (all pixels count, ignored ones included);
 * - when min_kept > #valid pixels, OHEM is skipped: every valid pixel is kept;
 * - else, with ignored pixels' p set to 1, the threshold becomes max(threshold, the min_kept-th smallest p),
 *   and a valid pixel is kept when p ≤ threshold (so at least min_kept are kept, more on ties).
 * Computed on device with `withoutGradient` (zero gradient, no read-back): call it inside the
 * `tf.variableGrads` closure on the same logits.
 */
export function ohemMask(logits: tf.Tensor4D, labels: tf.Tensor3D, opts: OhemOptions = {}): tf.Tensor3D {
  checkPixels('ohemMask', logits, labels, 'labels');
  const { threshold, minKeptFraction, ignore } = { ...OHEM_DEFAULTS, ...opts };
  if (!(minKeptFraction >= 0 && minKeptFraction <= 1)) throw new Error(`OHEM minKeptFraction must be in [0, 1], got ${minKeptFraction}.`);
  return withoutGradient(logits, (lg) => {
    const [b, h, w, k] = lg.shape as [number, number, number, number];
    const n = b * h * w;
    const minKept = Math.floor(minKeptFraction * n + 1e-9); // B·H·W // 16 for the default
    const lab = asInt(labels);
    const validF = tf.cast(tf.notEqual(lab, ignore), 'float32');
    // p of the true class; ignored pixels get p = 1 (the reference's masked_fill_), so they sort last.
    const p = tf.add(tf.sum(tf.mul(tf.softmax(lg), oneHotFloat(lab, k)), -1), tf.sub(1, validF));
    let limit: tf.Tensor = tf.scalar(threshold);
    if (minKept > 0) {
      const kth = tf.max(tf.neg(tf.topk(tf.neg(tf.reshape(p, [n])), minKept).values)); // the min_kept-th smallest p (the largest of the min_kept smallest)
      limit = tf.maximum(limit, kth);
    }
    const kept = tf.mul(validF, tf.cast(tf.lessEqual(p, limit), 'float32'));
    // OHEM skipped (every valid pixel kept) when min_kept exceeds the valid count.
    const skip = tf.cast(tf.greater(tf.scalar(minKept), tf.sum(validF)), 'float32');
    return tf.add(tf.mul(kept, tf.sub(1, skip)), tf.mul(validF, skip)) as tf.Tensor3D;
  });
}

/**
 * OHEM cross-entropy (§2 option): CE averaged over the `ohemMask` pixels. Use it directly inside
 * `tf.variableGrads(() => ohemCrossEntropy(model(x).logits, labels))`: the selection is taken from
 * the same forward pass with the tape off, so the gradient is that of `maskedCrossEntropy` with the
 * selection held fixed. To inspect or reuse the selection, call `ohemMask` + `maskedCrossEntropy`.
 */
export function ohemCrossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D, opts: OhemOptions = {}): tf.Scalar {
  return tf.tidy(() => maskedCrossEntropy(logits, labels, ohemMask(logits, labels, opts), opts.ignore ?? IGNORE_LABEL, opts.classWeights));
}

/** Bilinear (align-corners) resize of NHWC `x` to h×w; a copy when already that size. */
function resizeTo(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return x.shape[1] === h && x.shape[2] === w ? tf.clone(x) : tf.image.resizeBilinear(x, [h, w], true);
}

/**
 * Teacher log-probabilities log softmax(z_T/T) at h×w, NHWC [B,h,w,K], as a constant (zero
 * gradient). Teacher logits of another spatial size are first resized bilinearly (align-corners).
 */
export function teacherLogProbs(teacherLogits: tf.Tensor4D, temperature: number, h: number, w: number): tf.Tensor4D {
  return withoutGradient(teacherLogits, (z) => tf.logSoftmax(tf.div(resizeTo(z as tf.Tensor4D, h, w), temperature)) as tf.Tensor4D);
}

/**
 * Pixel-wise KD loss (Hinton et al. 2015; TECHNIQUES.md §2) on NHWC logits:
 * T² · mean over pixels of KL(softmax(z_T/T) ‖ softmax(z_S/T)). The teacher is a constant (its
 * gradient is zero even when its logits come from taped variables); teacher logits of another
 * spatial size are resized bilinearly to the student's. An optional 0/1 `mask` [B,H,W] (e.g.
 * `validMask(labels)`) restricts the mean to its pixels.
 */
export function kdLoss(studentLogits: tf.Tensor4D, teacherLogits: tf.Tensor4D, temperature = 1, mask?: tf.Tensor3D): tf.Scalar {
  const [b, h, w, k] = studentLogits.shape;
  if (teacherLogits.shape[0] !== b || teacherLogits.shape[3] !== k) {
    throw new Error(`kdLoss: teacher logits [${teacherLogits.shape}] must have the student's batch ${b} and ${k} classes.`);
  }
  if (!(temperature > 0)) throw new Error(`kdLoss needs a positive temperature, got ${temperature}.`);
  if (mask) checkPixels('kdLoss', studentLogits, mask, 'mask');
  return tf.tidy(() => {
    const logT = teacherLogProbs(teacherLogits, temperature, h, w);
    const logS = tf.logSoftmax(tf.div(studentLogits, temperature));
    const kl = tf.sum(tf.mul(tf.exp(logT), tf.sub(logT, logS)), -1); // [B, H, W]
    const mean = mask ? maskedMean(kl, mask) : stableMean(kl);
    return tf.mul(mean, temperature * temperature) as tf.Scalar;
  });
}
