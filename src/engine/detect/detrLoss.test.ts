import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cxcywhToXyxy, giou, type Box } from './boxes';
import { detrAuxLoss, detrLoss, numGtBoxes } from './detrLoss';
import { hungarianMatch, hungarianMatchLayers } from './matching';

// The hand-built case: 2 images, 3 queries, image 0 has 1 gt box, image 1 none.
// logits (person, no-object):  image 0: q0 (0, 0), q1 (2, 0), q2 (0, 1);  image 1: q0 (1, 0), q1 (0, 0), q2 (0, 2).
const LOGITS = [
  [
    [0, 0],
    [2, 0],
    [0, 1],
  ],
  [
    [1, 0],
    [0, 0],
    [0, 2],
  ],
];
// boxes (cx, cy, w, h): image 0 q1 = (0.55, 0.5, 0.4, 0.2) overlaps the gt (0.5, 0.5, 0.4, 0.4); q0 and q2 are far.
const BOXES = [
  [
    [0.1, 0.1, 0.1, 0.1],
    [0.55, 0.5, 0.4, 0.2],
    [0.8, 0.8, 0.2, 0.2],
  ],
  [
    [0.3, 0.3, 0.2, 0.2],
    [0.5, 0.5, 0.5, 0.5],
    [0.7, 0.6, 0.1, 0.3],
  ],
];
const GT: Box[][] = [[[0.5, 0.5, 0.4, 0.4]], []];

const softplus = (x: number) => Math.log(1 + Math.exp(x));
// CE of logits (a, b): target person → ln(1 + e^(b−a)); target no-object → ln(1 + e^(a−b)).
// Matching (checked below): image 0 q1 ↔ gt 0. Weights: 1 for that query, 0.1 for the other 5; Σw = 1.5.
//   CE = [ln(1+e^−2) + 0.1·(ln 2 + ln(1+e^−1) + ln(1+e) + ln 2 + ln(1+e^−2))] / 1.5 ≈ 0.293935
const HAND_CE = (softplus(-2) + 0.1 * (Math.log(2) + softplus(-1) + softplus(1) + Math.log(2) + softplus(-2))) / 1.5;
// numBoxes = 1. L1 = |0.55−0.5| + |0.5−0.5| + |0.4−0.4| + |0.2−0.4| = 0.25.
const HAND_L1 = 0.25;
// Corners: q1 [0.35, 0.4, 0.75, 0.6], gt [0.3, 0.3, 0.7, 0.7]. inter = 0.35·0.2 = 0.07; union = 0.08 + 0.16 − 0.07 = 0.17;
// C = [0.3, 0.75]×[0.3, 0.7] = 0.45·0.4 = 0.18. GIoU = 0.07/0.17 − (0.18 − 0.17)/0.18 ≈ 0.356209; loss 1 − GIoU ≈ 0.643791.
const HAND_GIOU = 1 - (0.07 / 0.17 - 0.01 / 0.18);
// total = 1·CE + 5·L1 + 2·GIoU loss ≈ 0.293935 + 1.25 + 1.287582 = 2.831517
const HAND_TOTAL = HAND_CE + 5 * HAND_L1 + 2 * HAND_GIOU;

const scalars = async (t: { total: tf.Scalar; ce: tf.Scalar; l1: tf.Scalar; giou: tf.Scalar }) => ({
  total: (await t.total.data())[0]!,
  ce: (await t.ce.data())[0]!,
  l1: (await t.l1.data())[0]!,
  giou: (await t.giou.data())[0]!,
});
const disposeTerms = (t: { total: tf.Scalar; ce: tf.Scalar; l1: tf.Scalar; giou: tf.Scalar }) => tf.dispose([t.total, t.ce, t.l1, t.giou]);

describe('detrLoss', () => {
  it('matches the hand-computed terms of the 2-image, 3-query case, without leaking', async () => {
    const logits = tf.tensor3d(LOGITS);
    const boxes = tf.tensor3d(BOXES);
    const matches = await hungarianMatch(logits, boxes, GT);
    expect(matches).toEqual([
      { queries: [1], gts: [0] },
      { queries: [], gts: [] },
    ]);
    const before = tf.memory().numTensors;
    const terms = detrLoss(logits, boxes, GT, matches);
    const got = await scalars(terms);
    disposeTerms(terms);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.ce).toBeCloseTo(HAND_CE, 5);
    expect(got.l1).toBeCloseTo(HAND_L1, 5);
    expect(got.giou).toBeCloseTo(HAND_GIOU, 5);
    expect(got.total).toBeCloseTo(HAND_TOTAL, 5);
    tf.dispose([logits, boxes]);
  });

  it('sends gradients to logits (weighted softmax − one-hot) and to the matched boxes only', async () => {
    const logits = tf.tensor3d(LOGITS);
    const boxes = tf.tensor3d(BOXES);
    const matches = await hungarianMatch(logits, boxes, GT);
    const before = tf.memory().numTensors;
    const [gl, gb] = tf.grads((l: tf.Tensor, b: tf.Tensor) => {
      const t = detrLoss(l as tf.Tensor3D, b as tf.Tensor3D, GT, matches);
      tf.dispose([t.ce, t.l1, t.giou]);
      return t.total;
    })([logits, boxes]);
    const gLogits = (await gl!.array()) as number[][][];
    const gBoxes = (await gb!.array()) as number[][][];
    tf.dispose([gl!, gb!]);
    expect(tf.memory().numTensors).toBe(before);
    // d CE / d logits = w_i·(softmax − one-hot)/Σw. Image 0 q0 (0, 0), no-object, w 0.1: 0.1·(0.5, −0.5)/1.5.
    expect(gLogits[0]![0]![0]!).toBeCloseTo((0.1 * 0.5) / 1.5, 5);
    expect(gLogits[0]![0]![1]!).toBeCloseTo((0.1 * -0.5) / 1.5, 5);
    // Image 0 q1 (2, 0), person, w 1: (σ(2) − 1, 1 − σ(2))/1.5.
    const s2 = 1 / (1 + Math.exp(-2));
    expect(gLogits[0]![1]![0]!).toBeCloseTo((s2 - 1) / 1.5, 5);
    expect(gLogits[0]![1]![1]!).toBeCloseTo((1 - s2) / 1.5, 5);
    // Boxes: only image 0 q1 gets a gradient; compare it to central differences of 5·L1 + 2·(1 − GIoU) in float64.
    const boxLoss = (b: number[]) => {
      const g = GT[0]![0]!;
      return 5 * b.reduce((s, v, k) => s + Math.abs(v - g[k]!), 0) + 2 * (1 - giou(cxcywhToXyxy(b as unknown as Box), cxcywhToXyxy(g)));
    };
    const q1 = BOXES[0]![1]!;
    for (let k = 0; k < 4; k++) {
      const h = 1e-6;
      const plus = [...q1];
      const minus = [...q1];
      plus[k]! += h;
      minus[k]! -= h;
      const fd = (boxLoss(plus) - boxLoss(minus)) / (2 * h);
      expect(Math.abs(gBoxes[0]![1]![k]! - fd)).toBeLessThan(1e-3 * Math.max(1, Math.abs(fd)));
    }
    gBoxes.forEach((img, b) => img.forEach((row, q) => (b === 0 && q === 1 ? null : row.forEach((v) => expect(v).toBe(0)))));
    tf.dispose([logits, boxes]);
  });

  it('has zero box terms and a plain no-object mean CE when the batch has no gt', async () => {
    const logits = tf.tensor3d(LOGITS);
    const boxes = tf.tensor3d(BOXES);
    const terms = detrLoss(
      logits,
      boxes,
      [[], []],
      [
        { queries: [], gts: [] },
        { queries: [], gts: [] },
      ],
    );
    const got = await scalars(terms);
    disposeTerms(terms);
    // All 6 queries weigh 0.1: the weights cancel → the mean of ln(1 + e^(a−b)).
    const want = (Math.log(2) + softplus(2) + softplus(-1) + softplus(1) + Math.log(2) + softplus(-2)) / 6;
    expect(got.ce).toBeCloseTo(want, 5);
    expect(got.l1).toBe(0);
    expect(got.giou).toBe(0);
    expect(got.total).toBeCloseTo(want, 5);
    expect(numGtBoxes([[], []])).toBe(1);
    expect(numGtBoxes(GT)).toBe(1);
    tf.dispose([logits, boxes]);
  });
});

describe('detrAuxLoss', () => {
  it('matches every layer on its own and sums the per-layer losses', async () => {
    const logits = tf.tensor3d(LOGITS);
    const boxes = tf.tensor3d(BOXES);
    // Layer 2: the same logits, the boxes of q1 and q2 swapped in image 0, so q2 now matches (CE changes, box terms do not).
    const swapped = BOXES.map((img, b) => (b === 0 ? [img[0]!, img[2]!, img[1]!] : img));
    const boxes2 = tf.tensor3d(swapped);
    const layers = [
      { logits, boxes },
      { logits, boxes: boxes2 },
    ];
    const matches = await hungarianMatchLayers(layers, GT);
    expect(matches[1]![0]).toEqual({ queries: [2], gts: [0] });
    const before = tf.memory().numTensors;
    const aux = detrAuxLoss(layers, GT, matches);
    const l0 = await scalars(aux.layers[0]!);
    const l1 = await scalars(aux.layers[1]!);
    const total = (await aux.total.data())[0]!;
    aux.layers.forEach(disposeTerms);
    aux.total.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(l0.total).toBeCloseTo(HAND_TOTAL, 5);
    // Layer 2: q2 (0, 1) is the person query: CE = [ln(1+e^1) + 0.1·(ln 2 + ln(1+e^2) + ln(1+e) + ln 2 + ln(1+e^−2))] / 1.5.
    const ce2 = (softplus(1) + 0.1 * (Math.log(2) + softplus(2) + softplus(1) + Math.log(2) + softplus(-2))) / 1.5;
    expect(l1.ce).toBeCloseTo(ce2, 5);
    expect(l1.l1).toBeCloseTo(HAND_L1, 5);
    expect(l1.giou).toBeCloseTo(HAND_GIOU, 5);
    expect(total).toBeCloseTo(HAND_TOTAL + ce2 + 5 * HAND_L1 + 2 * HAND_GIOU, 5);
    expect(() => detrAuxLoss(layers, GT, [matches[0]!])).toThrow(/one matching per layer/);
    tf.dispose([logits, boxes, boxes2]);
  });
});
