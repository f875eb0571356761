/**
 * COCO-style average precision for one class (pycocotools COCOeval: evaluateImg + accumulate, area range "all" unless a SizeRange is given), on
 * (x1, y1, x2, y2) boxes in any one unit. Per image, detections sorted by score (stable) are greedily matched, at each IoU
 * threshold t, to the gt with the highest IoU ≥ t among the gts still free, non-ignored gts first; a detection whose match is
 * an ignored gt is ignored (neither TP nor FP). Precision is made monotone from the right and read at the 101 recall points
 * 0, 0.01, …, 1 (np.searchsorted(rc, recThrs, side='left'); 0 past the last recall); AP is their mean. A SizeRange gives
 * COCO's per-area-range evaluation on any box measure (APs / APm / APl with area and COCO's bounds).
 */
import { area, intersection, iou, type Box } from '../detect/boxes';

/** One detection: its image, box (x1, y1, x2, y2) and score. */
export interface Detection {
  imageId: number;
  box: Box;
  score: number;
}

/**
 * One ground truth: its image and box (x1, y1, x2, y2). Both flags make it an ignore region, as COCO's `ignore`:
 * `crowd` (COCO iscrowd) matches with intersection / detection area (COCO's crowd IoU) and may absorb any number of detections;
 * `difficult` (Pascal VOC) matches with plain IoU and, like any non-crowd gt in COCOeval, absorbs one detection per threshold
 * (the VOC devkit instead ignores every detection whose best gt is difficult).
 */
export interface GroundTruth {
  imageId: number;
  box: Box;
  crowd?: boolean;
  difficult?: boolean;
}

/** COCO's IoU thresholds np.linspace(0.5, 0.95, 10), computed as numpy does (0.5 + i·(0.45/9), the last exactly 0.95). */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => (i === 9 ? 0.95 : 0.5 + i * ((0.95 - 0.5) / 9)));
/** COCO's recall points np.linspace(0, 1, 101) (i·0.01, the last exactly 1). */
export const COCO_RECALL_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, i) => (i === 100 ? 1 : i * 0.01));

/** Per-threshold outcome of every kept detection, in COCO's accumulate order (images by id, then score, stable). */
interface Evaluated {
  scores: number[];
  /** [threshold][detection]: 1 matched (TP unless ignored), 0 not. */
  matched: Uint8Array[];
  /** [threshold][detection]: 1 when matched to an ignored gt. */
  ignored: Uint8Array[];
  /** Non-ignored gts (COCO's npig). */
  positives: number;
}

function stableByScore<T extends { score: number }>(items: readonly T[]): T[] {
  return items
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .map((x) => x.d);
}

/**
 * A size range as COCOeval's area ranges treat one (`areaRng`), on any measure of a box: a gt outside it is ignored, and so is
 * a detection left unmatched whose own box is outside it (COCO's `dtIg |= (dtm == 0) & outside`), so that AP per range scores
 * the objects of that size without charging a detector for finding objects of another.
 */
export interface SizeRange {
  /** The box's size in the range's unit, e.g. area (COCO) or height. */
  measure: (box: Box) => number;
  /** Inclusive bounds, as COCO's `area < lo or area > hi` is outside. */
  lo: number;
  hi: number;
}

const outside = (r: SizeRange | undefined, box: Box) => {
  if (!r) return false;
  const v = r.measure(box);
  return v < r.lo || v > r.hi;
};

/** Whether a gt is an ignore region in an evaluation (over `range` when given): crowd, difficult or outside the range. */
export const isIgnoredGt = (g: GroundTruth, range?: SizeRange): boolean => Boolean(g.crowd || g.difficult || outside(range, g.box));

/** COCOeval.evaluateImg over all images, keeping the top maxDets detections per image, at every threshold. */
function evaluate(dets: readonly Detection[], gts: readonly GroundTruth[], thresholds: readonly number[], maxDets: number, range?: SizeRange): Evaluated {
  const byImage = new Map<number, { dets: Detection[]; gts: GroundTruth[] }>();
  const slot = (id: number) => {
    let s = byImage.get(id);
    if (!s) byImage.set(id, (s = { dets: [], gts: [] }));
    return s;
  };
  for (const d of dets) slot(d.imageId).dets.push(d);
  for (const g of gts) slot(g.imageId).gts.push(g);
  const imageIds = [...byImage.keys()].sort((a, b) => a - b);

  const T = thresholds.length;
  const scores: number[] = [];
  const matched: number[][] = thresholds.map(() => []);
  const ignored: number[][] = thresholds.map(() => []);
  let positives = 0;
  for (const id of imageIds) {
    const img = byImage.get(id)!;
    const isIg = (g: GroundTruth) => (isIgnoredGt(g, range) ? 1 : 0);
    const gt = [...img.gts].sort((a, b) => isIg(a) - isIg(b)); // stable: non-ignored first
    const gtIg = gt.map(isIg);
    positives += gtIg.filter((x) => x === 0).length;
    const dt = stableByScore(img.dets).slice(0, maxDets);
    const ious = dt.map((d) => gt.map((g) => (g.crowd ? (area(d.box) > 0 ? intersection(d.box, g.box) / area(d.box) : 0) : iou(d.box, g.box))));
    for (let t = 0; t < T; t++) {
      const gtm = new Uint8Array(gt.length);
      dt.forEach((d, di) => {
        let best = Math.min(thresholds[t]!, 1 - 1e-10);
        let m = -1;
        for (let gi = 0; gi < gt.length; gi++) {
          if (gtm[gi] && !gt[gi]!.crowd) continue;
          if (m > -1 && gtIg[m] === 0 && gtIg[gi] === 1) break;
          const o = ious[di]![gi]!;
          if (o < best) continue;
          best = o;
          m = gi;
        }
        if (m > -1) gtm[m] = 1;
        matched[t]!.push(m > -1 ? 1 : 0);
        ignored[t]!.push(m > -1 ? gtIg[m]! : outside(range, d.box) ? 1 : 0);
        if (t === 0) scores.push(d.score);
      });
    }
  }
  // accumulate: one stable sort of the concatenation by score.
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return {
    scores: order.map((i) => scores[i]!),
    matched: matched.map((row) => Uint8Array.from(order, (i) => row[i]!)),
    ignored: ignored.map((row) => Uint8Array.from(order, (i) => row[i]!)),
    positives,
  };
}

/** COCOeval.accumulate for one threshold: the 101-point interpolated AP and the final recall. */
function apAndRecall(matched: Uint8Array, ignored: Uint8Array, positives: number): { ap: number; recall: number } {
  const nd = matched.length;
  const rc = new Float64Array(nd);
  const pr = new Float64Array(nd);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < nd; i++) {
    if (!ignored[i]) {
      if (matched[i]) tp++;
      else fp++;
    }
    rc[i] = tp / positives;
    pr[i] = tp / (tp + fp + Number.EPSILON); // np.spacing(1)
  }
  for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
  let sum = 0;
  let j = 0;
  for (const r of COCO_RECALL_THRESHOLDS) {
    while (j < nd && rc[j]! < r) j++; // searchsorted side='left': first index with rc ≥ r
    if (j < nd) sum += pr[j]!;
  }
  return { ap: sum / COCO_RECALL_THRESHOLDS.length, recall: nd > 0 ? rc[nd - 1]! : 0 };
}

/**
 * COCO AP of one class at each IoU threshold, boxes (x1, y1, x2, y2), at most maxDetsPerImage detections per image (top by score;
 * COCO's 100), over every size or only `range`'s. null when there is no non-ignored gt (COCO leaves AP undefined, −1).
 */
export function averagePrecision(
  dets: readonly Detection[],
  gts: readonly GroundTruth[],
  thresholds: readonly number[] = COCO_IOU_THRESHOLDS,
  maxDetsPerImage = 100,
  range?: SizeRange,
): (number | null)[] {
  const ev = evaluate(dets, gts, thresholds, maxDetsPerImage, range);
  if (ev.positives === 0) return thresholds.map(() => null);
  return thresholds.map((_, t) => apAndRecall(ev.matched[t]!, ev.ignored[t]!, ev.positives).ap);
}

/** COCO recall of one class at one IoU threshold with at most maxDetsPerImage detections per image; null without non-ignored gts. */
export function recallAt(
  dets: readonly Detection[],
  gts: readonly GroundTruth[],
  threshold: number,
  maxDetsPerImage: number,
  range?: SizeRange,
): number | null {
  const ev = evaluate(dets, gts, [threshold], maxDetsPerImage, range);
  if (ev.positives === 0) return null;
  return apAndRecall(ev.matched[0]!, ev.ignored[0]!, ev.positives).recall;
}

/** The Detect lab's detection metrics; every value null when the gts hold no non-ignored box. */
export interface DetectionScores {
  /** AP@0.5. */
  ap50: number | null;
  /** AP@[0.5:0.95]: mean over COCO's 10 thresholds. */
  ap: number | null;
  /** Recall at IoU 0.5 with at most 20 detections per image. */
  recall50at20: number | null;
}

/** AP@0.5, AP@[0.5:0.95] (maxDetsPerImage per image, COCO's 100) and recall@0.5 with 20 detections per image; boxes (x1, y1, x2, y2). */
export function detectionAP(dets: readonly Detection[], gts: readonly GroundTruth[], maxDetsPerImage = 100): DetectionScores {
  const aps = averagePrecision(dets, gts, COCO_IOU_THRESHOLDS, maxDetsPerImage);
  if (aps[0] === null) return { ap50: null, ap: null, recall50at20: null };
  const ap = (aps as number[]).reduce((s, x) => s + x, 0) / aps.length;
  return { ap50: aps[0]!, ap, recall50at20: recallAt(dets, gts, 0.5, 20) };
}

/** The score threshold a detector's boxes are best shown at: the one that maximises F1 at one IoU threshold. */
export interface F1Threshold {
  /** Boxes with score > threshold are shown: halfway between the last kept score and the next lower one (0 when every box is kept). */
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
  /** Matched non-ignored gts, unmatched detections (ignore-region matches count as neither), non-ignored gts. */
  tp: number;
  fp: number;
  positives: number;
  /** Detections above the threshold, of every kind (TP, FP and those on ignore regions): what a viewer draws. */
  shown: number;
}

/**
 * The score threshold with the best F1 = 2·TP / (2·TP + FP + FN) at IoU `iouThreshold`, where the shown detections are those
 * scoring above it. Matching is COCO's greedy one by score (as in AP, ≤ maxDetsPerImage per image), so the detections above any
 * threshold are a prefix of the ranking and keep their matches; only cuts between two different scores are candidates, and a
 * tie in F1 goes to the higher threshold (fewer boxes). Detections matched to a crowd / difficult gt count as neither TP nor FP.
 * null when there is no non-ignored gt or no threshold gives a true positive.
 */
export function bestF1Threshold(dets: readonly Detection[], gts: readonly GroundTruth[], iouThreshold = 0.5, maxDetsPerImage = 100): F1Threshold | null {
  const ev = evaluate(dets, gts, [iouThreshold], maxDetsPerImage);
  if (ev.positives === 0) return null;
  const matched = ev.matched[0]!;
  const ignored = ev.ignored[0]!;
  const n = ev.scores.length;
  let tp = 0;
  let fp = 0;
  let best: F1Threshold | null = null;
  for (let i = 0; i < n; i++) {
    if (!ignored[i]) {
      if (matched[i]) tp++;
      else fp++;
    }
    if (i + 1 < n && ev.scores[i + 1] === ev.scores[i]) continue; // a cut only between different scores
    const f1 = (2 * tp) / (2 * tp + fp + (ev.positives - tp));
    if (tp > 0 && (!best || f1 > best.f1)) {
      const threshold = i + 1 < n ? (ev.scores[i]! + ev.scores[i + 1]!) / 2 : 0;
      best = { threshold, f1, precision: tp / (tp + fp), recall: tp / ev.positives, tp, fp, positives: ev.positives, shown: i + 1 };
    }
  }
  return best;
}
