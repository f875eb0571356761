/**
 * Segmentation metrics (TECHNIQUES.md §2): a confusion matrix accumulated over a whole validation
 * set (ignore label excluded), then per-class IoU, mIoU, pixel accuracy and per-class accuracy.
 * Matrices are row-major Float64Array numClasses²: rows = true class, columns = predicted class.
 */
import * as tf from '@tensorflow/tfjs-core';

export const SEG_IGNORE_LABEL = 255;

/** A zeroed numClasses × numClasses confusion matrix. */
export function emptyConfusion(numClasses: number): Float64Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`A confusion matrix needs a positive integer class count, got ${numClasses}.`);
  return new Float64Array(numClasses * numClasses);
}

/**
 * Add per-pixel predictions and labels (same length, any layout) into a confusion matrix
 * (rows = true, cols = predicted); pixels labelled `ignore` are skipped. Returns `into` (a new one
 * when absent). Throws on a label or prediction outside [0, numClasses).
 */
export function confusionMatrix(
  pred: Int32Array | Uint8Array,
  label: Uint8Array | Int32Array,
  numClasses: number,
  ignore = SEG_IGNORE_LABEL,
  into?: Float64Array,
): Float64Array {
  const cm = into ?? emptyConfusion(numClasses);
  if (cm.length !== numClasses * numClasses) throw new Error(`Confusion matrix has ${cm.length} cells, expected ${numClasses}² = ${numClasses * numClasses}.`);
  if (pred.length !== label.length) throw new Error(`Predictions (${pred.length}) and labels (${label.length}) differ in length.`);
  for (let i = 0; i < label.length; i++) {
    const t = label[i]!;
    if (t === ignore) continue;
    const p = pred[i]!;
    if (t < 0 || t >= numClasses) throw new Error(`Label ${t} at pixel ${i} is outside 0..${numClasses - 1} and is not the ignore label ${ignore}.`);
    if (p < 0 || p >= numClasses) throw new Error(`Prediction ${p} at pixel ${i} is outside 0..${numClasses - 1}.`);
    cm[t * numClasses + p]! += 1;
  }
  return cm;
}

/**
 * Arg-max NHWC logits [B,H,W,K] on the device, read the class map back (`await .data()`) and add it
 * with the labels ([B,H,W] tensor or a Uint8Array in the same pixel order) into `into`. K must equal
 * numClasses. Returns `into`. Disposes nothing it did not create.
 */
export async function accumulateConfusion(
  logits: tf.Tensor4D,
  labels: tf.Tensor3D | Uint8Array,
  numClasses: number,
  into: Float64Array,
  ignore = SEG_IGNORE_LABEL,
): Promise<Float64Array> {
  const [b, h, w, k] = logits.shape;
  if (k !== numClasses) throw new Error(`Logits have ${k} classes, expected ${numClasses}.`);
  if (!(labels instanceof Uint8Array) && (labels.shape[0] !== b || labels.shape[1] !== h || labels.shape[2] !== w)) {
    throw new Error(`Labels [${labels.shape}] do not match logits [${logits.shape}].`);
  }
  const argmax = tf.argMax(logits, 3);
  let pred: Int32Array;
  let lab: Uint8Array | Int32Array;
  try {
    pred = (await argmax.data()) as Int32Array;
  } finally {
    argmax.dispose();
  }
  if (labels instanceof Uint8Array) {
    lab = labels;
  } else {
    const asInt = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    try {
      lab = (await asInt.data()) as Int32Array;
    } finally {
      if (asInt !== labels) asInt.dispose();
    }
  }
  return confusionMatrix(pred, lab, numClasses, ignore, into);
}

export interface SegScores {
  /** IoU = TP / (TP + FP + FN) per class; null for a class absent from both labels and predictions. */
  perClassIoU: (number | null)[];
  /** Mean of the non-null per-class IoUs (NaN when all are null, i.e. no pixel counted). */
  mIoU: number;
  /** Correct pixels / counted pixels (NaN when none). */
  pixelAccuracy: number;
  /** Recall TP / (TP + FN) per class; null for a class with no labelled pixel. */
  perClassAccuracy: (number | null)[];
}

/** Scores of a confusion matrix (rows = true, cols = predicted). A class predicted but never labelled has IoU 0 and counts in the mean. */
export function segScores(confusion: Float64Array, numClasses: number): SegScores {
  if (confusion.length !== numClasses * numClasses) throw new Error(`Confusion matrix has ${confusion.length} cells, expected ${numClasses * numClasses}.`);
  const rows = new Float64Array(numClasses);
  const cols = new Float64Array(numClasses);
  let total = 0;
  let correct = 0;
  for (let t = 0; t < numClasses; t++) {
    for (let p = 0; p < numClasses; p++) {
      const v = confusion[t * numClasses + p]!;
      rows[t]! += v;
      cols[p]! += v;
      total += v;
    }
    correct += confusion[t * numClasses + t]!;
  }
  const perClassIoU: (number | null)[] = [];
  const perClassAccuracy: (number | null)[] = [];
  for (let c = 0; c < numClasses; c++) {
    const tp = confusion[c * numClasses + c]!;
    const union = rows[c]! + cols[c]! - tp;
    perClassIoU.push(union > 0 ? tp / union : null);
    perClassAccuracy.push(rows[c]! > 0 ? tp / rows[c]! : null);
  }
  const present = perClassIoU.filter((v): v is number => v !== null);
  return {
    perClassIoU,
    mIoU: present.length > 0 ? present.reduce((a, v) => a + v, 0) / present.length : NaN,
    pixelAccuracy: total > 0 ? correct / total : NaN,
    perClassAccuracy,
  };
}
