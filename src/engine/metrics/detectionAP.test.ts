import { describe, expect, it } from 'vitest';
import type { Box } from '../detect/boxes';
import {
  averagePrecision,
  bestF1Threshold,
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  detectionAP,
  recallAt,
  type Detection,
  type GroundTruth,
  type SizeRange,
} from './detectionAP';

const UNIT: Box = [0, 0, 1, 1];
const det = (imageId: number, box: Box, score: number): Detection => ({ imageId, box, score });
const gt = (imageId: number, box: Box, flags: Partial<GroundTruth> = {}): GroundTruth => ({ imageId, box, ...flags });
const ap50 = (d: Detection[], g: GroundTruth[]) => averagePrecision(d, g, [0.5])[0];

describe('COCO thresholds', () => {
  it('are numpy’s linspace values', () => {
    expect(COCO_IOU_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
    expect(COCO_RECALL_THRESHOLDS.length).toBe(101);
    expect(COCO_RECALL_THRESHOLDS[0]).toBe(0);
    expect(COCO_RECALL_THRESHOLDS[100]).toBe(1);
  });
});

describe('detectionAP', () => {
  it('is 1 for a perfect detector', () => {
    const gts = [gt(1, UNIT), gt(1, [2, 2, 3, 4]), gt(2, [0.5, 0.5, 1.5, 1.0])];
    const dets = gts.map((g, i) => det(g.imageId, g.box, 0.9 - 0.1 * i));
    expect(detectionAP(dets, gts)).toEqual({ ap50: 1, ap: 1, recall50at20: 1 });
  });

  it('one false positive ranked first: AP 0.5', () => {
    // rc = [0, 1], pr = [0, 1/2] → envelope [1/2, 1/2]: every recall point reads 1/2.
    const s = detectionAP([det(1, [2, 2, 3, 3], 0.9), det(1, UNIT, 0.8)], [gt(1, UNIT)]);
    expect(s.ap50).toBeCloseTo(0.5, 12);
    expect(s.ap).toBeCloseTo(0.5, 12);
    expect(s.recall50at20).toBe(1);
  });

  it('a duplicate detection is a false positive', () => {
    // 2 gts; TP (0.9), duplicate on the same gt (0.8), TP (0.7): rc = [½, ½, 1], pr = [1, ½, ⅔] → envelope [1, ⅔, ⅔].
    // Recall points 0…0.50 (51) read 1, 0.51…1 (50) read ⅔: AP = (51 + 50·⅔)/101.
    const gts = [gt(1, UNIT), gt(2, UNIT)];
    const dets = [det(1, UNIT, 0.9), det(1, [0, 0, 1, 0.95], 0.8), det(2, UNIT, 0.7)];
    expect(ap50(dets, gts)!).toBeCloseTo((51 + (50 * 2) / 3) / 101, 12);
    expect(ap50([dets[0]!, dets[2]!], gts)).toBe(1);
  });

  it('an ignore region (VOC difficult) swallows a detection: neither TP nor FP', () => {
    const dets = [det(1, [2, 2, 3, 3], 0.95), det(1, UNIT, 0.9)];
    // With the difficult box: the first detection is ignored → AP 1.
    expect(ap50(dets, [gt(1, UNIT), gt(1, [2, 2, 3, 3], { difficult: true })])).toBeCloseTo(1, 12);
    // Without it the same detection is a false positive ranked first → AP ½.
    expect(ap50(dets, [gt(1, UNIT)])).toBeCloseTo(0.5, 12);
  });

  it('prefers a non-ignored gt over an ignore region with a higher IoU', () => {
    // det [0.2,0,1.2,1]: IoU 0.8/1.2 = ⅔ with the normal gt, 0.95/1.05 ≈ 0.905 with the difficult one → matched to the normal: TP.
    const gts = [gt(1, [0.15, 0, 1.15, 1], { difficult: true }), gt(1, UNIT)];
    const s = detectionAP([det(1, [0.2, 0, 1.2, 1], 0.9)], gts);
    expect(s.ap50).toBeCloseTo(1, 12);
    expect(s.recall50at20).toBe(1);
  });

  it('a crowd region matches by intersection / detection area and absorbs many detections', () => {
    // Two small detections inside the crowd box [0,0,1,1]: plain IoU 0.04 and 0.16, but intersection/area = 1 → ignored.
    const dets = [det(1, [0.1, 0.1, 0.3, 0.3], 0.95), det(1, [0.5, 0.5, 0.9, 0.9], 0.94), det(1, [2, 2, 3, 3], 0.9)];
    expect(ap50(dets, [gt(1, UNIT, { crowd: true }), gt(1, [2, 2, 3, 3])])).toBeCloseTo(1, 12);
    // A difficult box uses plain IoU: both are FPs ranked first → rc [0, 0, 1], pr [0, 0, ⅓] → envelope ⅓ everywhere.
    expect(ap50(dets, [gt(1, UNIT, { difficult: true }), gt(1, [2, 2, 3, 3])])).toBeCloseTo(1 / 3, 12);
    // Half inside the crowd: intersection 0.08 / area 0.16 = 0.5 ≥ 0.5 → ignored at 0.5, a FP at 0.55.
    const half = [det(1, [0.8, 0.6, 1.2, 1.0], 0.95), det(1, [2, 2, 3, 3], 0.9)];
    const [at50, at55] = averagePrecision(half, [gt(1, UNIT, { crowd: true }), gt(1, [2, 2, 3, 3])], [0.5, 0.55]);
    expect(at50).toBeCloseTo(1, 12);
    expect(at55).toBeCloseTo(0.5, 12);
  });

  it('AP@[.5:.95] of boxes with IoU 0.8 is 0.7: thresholds 0.5…0.8 pass (7 of 10)', () => {
    // det [0,0,0.8,1] vs gt [0,0,1,1]: inter 0.8, union 1 → IoU exactly 0.8; COCO matches at IoU ≥ t and its 0.8 threshold is exactly 0.8.
    const gts = [gt(1, UNIT), gt(2, UNIT)];
    const dets = [det(1, [0, 0, 0.8, 1], 0.9), det(2, [0, 0, 0.8, 1], 0.8)];
    expect(averagePrecision(dets, gts)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    const s = detectionAP(dets, gts);
    expect(s.ap50).toBe(1);
    expect(s.ap).toBeCloseTo(0.7, 12);
    // IoU 0.62 (det [0,0,0.62,1]): only 0.5, 0.55, 0.6 pass → 0.3.
    expect(detectionAP([det(1, [0, 0, 0.62, 1], 0.9)], [gt(1, UNIT)]).ap).toBeCloseTo(0.3, 12);
  });

  it('uses 101-point interpolation (differs from VOC’s 11-point on this case)', () => {
    // 3 gts; TP, FP, TP: rc = [⅓, ⅓, ⅔], pr = [1, ½, ⅔] → envelope [1, ⅔, ⅔].
    // 101 points: r = 0…0.33 (34 points) → 1; r = 0.34…0.66 (33) → ⅔; r ≥ 0.67 → 0. AP = (34 + 33·⅔)/101 = 56/101.
    const gts = [gt(1, UNIT), gt(2, UNIT), gt(3, UNIT)];
    const dets = [det(1, UNIT, 0.9), det(2, [5, 5, 6, 6], 0.8), det(2, UNIT, 0.7)];
    const ap = ap50(dets, gts)!;
    expect(ap).toBeCloseTo(56 / 101, 12);
    // VOC2007 11-point on the same curve: r = 0, 0.1, 0.2, 0.3 → 1; 0.4, 0.5, 0.6 → ⅔; the rest 0 → 6/11.
    const elevenPoint = (4 * 1 + 3 * (2 / 3)) / 11;
    expect(Math.abs(ap - elevenPoint)).toBeGreaterThan(0.009);
  });

  it('recall@0.5 keeps the top 20 detections per image; AP keeps 100 by default', () => {
    // 25 gts in one image (a 5×5 grid of unit boxes 2 apart), 25 perfect detections, scores decreasing.
    const boxes: Box[] = Array.from({ length: 25 }, (_, i) => [2 * (i % 5), 2 * Math.floor(i / 5), 2 * (i % 5) + 1, 2 * Math.floor(i / 5) + 1]);
    const gts = boxes.map((b) => gt(7, b));
    const dets = boxes.map((b, i) => det(7, b, 1 - i / 100));
    const s = detectionAP(dets, gts);
    expect(s.ap50).toBe(1);
    expect(s.recall50at20).toBeCloseTo(20 / 25, 12);
    expect(recallAt(dets, gts, 0.5, 10)).toBeCloseTo(10 / 25, 12);
    // With 20 per image the recall stops at 0.8: recall points 0…0.80 (81) read 1 → AP 81/101.
    expect(averagePrecision(dets, gts, [0.5], 20)[0]).toBeCloseTo(81 / 101, 12);
    // The kept 20 are the top scores, whatever the input order.
    expect(detectionAP([...dets].reverse(), gts).recall50at20).toBeCloseTo(0.8, 12);
  });

  it('is undefined (null) without non-ignored gts; detections on images without gt are FPs', () => {
    expect(detectionAP([det(1, UNIT, 0.9)], [])).toEqual({ ap50: null, ap: null, recall50at20: null });
    expect(detectionAP([det(1, UNIT, 0.9)], [gt(1, UNIT, { crowd: true })]).ap50).toBeNull();
    expect(ap50([], [gt(1, UNIT)])).toBe(0);
    // An FP on image 2 (no gts there) ranked above the TP on image 1 → AP ½.
    expect(ap50([det(2, UNIT, 0.9), det(1, UNIT, 0.8)], [gt(1, UNIT)])).toBeCloseTo(0.5, 12);
  });
});

describe('AP per size range (COCOeval area ranges, on any measure)', () => {
  // One image: a tall person A (40 high) and a short one B (8 high); d1 hits B, d2 hits A, d3 is a short box on nothing, ranked first.
  const gts = [gt(0, [0, 0, 10, 40]), gt(0, [20, 0, 24, 8])];
  const dets = [det(0, [50, 50, 54, 58], 0.95), det(0, [20, 0, 24, 8], 0.9), det(0, [0, 0, 10, 40], 0.8)];
  const height = (b: Box) => b[3] - b[1];
  const tall: SizeRange = { measure: height, lo: 20, hi: Infinity };
  const short: SizeRange = { measure: height, lo: 0, hi: 10 };

  it('all sizes: FP, TP, TP → precision 0, ½, ⅔ → envelope ⅔ at every recall point', () => {
    expect(averagePrecision(dets, gts, [0.5])[0]).toBeCloseTo(2 / 3, 12);
  });

  it('tall: B is ignored, so is d1 matched to it and the unmatched short d3; d2 alone is a TP → AP 1', () => {
    expect(averagePrecision(dets, gts, [0.5], 100, tall)[0]).toBeCloseTo(1, 12);
    expect(recallAt(dets, gts, 0.5, 20, tall)).toBe(1);
  });

  it('short: A is ignored and so is d2 on it; d3 is inside the range and unmatched, an FP ranked first → AP ½', () => {
    expect(averagePrecision(dets, gts, [0.5], 100, short)[0]).toBeCloseTo(0.5, 12);
  });

  it('a range holding no gt leaves AP undefined; bounds are inclusive, as COCO’s', () => {
    expect(averagePrecision(dets, gts, [0.5], 100, { measure: height, lo: 100, hi: 200 })[0]).toBeNull();
    expect(averagePrecision(dets, gts, [0.5], 100, { measure: height, lo: 8, hi: 8 })[0]).toBeCloseTo(0.5, 12);
  });
});

describe('bestF1Threshold', () => {
  const A: Box = [0, 0, 10, 10];
  const B: Box = [20, 20, 30, 30];
  const far = (x: number): Box => [x, x, x + 10, x + 10];

  it('picks the cut with the best F1 over the score ranking (by hand)', () => {
    // Ranked: TP .9, FP .8, TP .7, FP .6, TP .5, duplicate of A (FP) .4; 3 positives.
    // F1 after each: 2/4, 2/5, 4/6, 4/7, 6/8, 6/9 → the fifth cut, between .5 and .4.
    const dets = [det(1, A, 0.9), det(2, far(50), 0.8), det(2, A, 0.7), det(1, far(70), 0.6), det(1, B, 0.5), det(1, A, 0.4)];
    const r = bestF1Threshold(dets, [gt(1, A), gt(1, B), gt(2, A)]);
    expect(r).toEqual({ threshold: 0.45, f1: 0.75, precision: 0.6, recall: 1, tp: 3, fp: 2, positives: 3, shown: 5 });
  });

  it('never cuts between equal scores, prefers the higher threshold on a tie, and keeps every box when that is best', () => {
    // A TP and an FP both at .8: the cut cannot keep only the TP.
    expect(bestF1Threshold([det(1, A, 0.8), det(1, far(50), 0.8), det(1, far(70), 0.3)], [gt(1, A)])).toMatchObject({
      threshold: 0.55,
      tp: 1,
      fp: 1,
      shown: 2,
    });
    // F1 2/3 after the first box and again after the fourth: the first cut wins.
    const tie = bestF1Threshold([det(1, A, 0.9), det(1, far(50), 0.8), det(1, far(70), 0.75), det(1, B, 0.7)], [gt(1, A), gt(1, B)]);
    expect(tie).toMatchObject({ tp: 1, fp: 0, f1: 2 / 3 });
    expect(tie!.threshold).toBeCloseTo(0.85, 12);
    // The last cut: threshold 0, every box shown.
    expect(bestF1Threshold([det(1, A, 0.9), det(1, B, 0.2)], [gt(1, A), gt(1, B)])).toMatchObject({ threshold: 0, f1: 1, tp: 2, fp: 0 });
  });

  it('counts a box on a crowd region as neither TP nor FP', () => {
    const crowd = gt(1, [100, 100, 200, 200], { crowd: true });
    expect(bestF1Threshold([det(1, [120, 120, 140, 140], 0.9), det(1, A, 0.8)], [gt(1, A), crowd])).toEqual({
      threshold: 0,
      f1: 1,
      precision: 1,
      recall: 1,
      tp: 1,
      fp: 0,
      positives: 1,
      shown: 2, // the box on the crowd region is drawn too
    });
  });

  it('is null without a non-ignored gt or without any true positive', () => {
    expect(bestF1Threshold([det(1, A, 0.9)], [])).toBeNull();
    expect(bestF1Threshold([det(1, A, 0.9)], [gt(1, A, { crowd: true })])).toBeNull();
    expect(bestF1Threshold([det(1, far(50), 0.9)], [gt(1, A)])).toBeNull();
  });
});
