/** Pure helpers of the Detect lab's views (no DOM): letterboxing, boxes above a threshold, the attention heat overlay. */
import { PEOPLE_NAMES, PEOPLE_STYLES, type DetectPixelBox, type DetectQueryOutput, type DetectSceneStyle } from '../../../protocol/labs/detect';
export { LETTERBOX_GREY } from '../../../protocol/labs/detect';

/** Where a srcW × srcH image lands inside a dstW × dstH frame when letterboxed: scaled to fit whole, aspect kept, centred. */
export function letterboxRect(srcW: number, srcH: number, dstW: number, dstH: number): { x: number; y: number; width: number; height: number; scale: number } {
  if (!(srcW > 0 && srcH > 0)) throw new Error(`An image of ${srcW}×${srcH} pixels cannot be fitted.`);
  const scale = Math.min(dstW / srcW, dstH / srcH);
  const width = Math.max(1, Math.min(dstW, Math.round(srcW * scale)));
  const height = Math.max(1, Math.min(dstH, Math.round(srcH * scale)));
  return { x: Math.floor((dstW - width) / 2), y: Math.floor((dstH - height) / 2), width, height, scale };
}

/**
 * The threshold a viewer pane filters its boxes at: the detector's own suggestion (its best-F1 threshold on validation) while
 * the viewer is in "own" mode and the detector has one, else the viewer slider's value.
 */
export function paneThreshold(suggested: number | null, own: boolean, slider: number): { value: number; fromModel: boolean } {
  return own && suggested !== null ? { value: suggested, fromModel: true } : { value: slider, fromModel: false };
}

/** The queries whose p_person reaches the threshold, highest score first. */
export function boxesAbove(queries: readonly DetectQueryOutput[], threshold: number): DetectQueryOutput[] {
  return queries.filter((q) => q.score >= threshold).sort((a, b) => b.score - a.score);
}

/**
 * What a pane says when no box reaches its threshold: the best query's score, so a user knows whether the detector saw
 * nothing or scored the people below the threshold (null when some box is drawn, or there are no queries). Boxes wholly
 * outside the frame count as not drawn, as in the pane.
 */
export function noBoxNote(queries: readonly DetectQueryOutput[], threshold: number, drawn: number): string | null {
  if (drawn > 0 || queries.length === 0) return null;
  const best = queries.reduce((a, b) => (b.score > a.score ? b : a));
  return best.score >= threshold
    ? `Its best boxes (score ${best.score.toFixed(2)} and up) lie outside the image.`
    : `No box scores ${threshold.toFixed(2)} or more here; its best query scores ${best.score.toFixed(2)}: lower the threshold to see its boxes.`;
}

/** A box clipped to a width × height frame (null when nothing of it is inside). */
export function clipBox(b: DetectPixelBox, width: number, height: number): DetectPixelBox | null {
  const x1 = Math.max(0, Math.min(width, b.x1));
  const y1 = Math.max(0, Math.min(height, b.y1));
  const x2 = Math.max(0, Math.min(width, b.x2));
  const y2 = Math.max(0, Math.min(height, b.y2));
  return x2 > x1 && y2 > y1 ? { ...b, x1, y1, x2, y2 } : null;
}

/**
 * RGBA bytes of an attention map (row-major mapH × mapW, summing to 1) as a heat overlay: stretched over its own range
 * (min → transparent, max → yellow; a flat map stays transparent), red to yellow, at most 60 % opaque so the photo shows.
 */
export function attentionRgba(attention: ArrayLike<number>, mapH: number, mapW: number): Uint8ClampedArray<ArrayBuffer> {
  const n = mapH * mapW;
  if (attention.length !== n) throw new Error(`An attention map of ${mapH}×${mapW} has ${n} weights, not ${attention.length}.`);
  const [lo, hi] = weightRange(attention);
  const span = hi - lo;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const t = span > 1e-9 ? (attention[i]! - lo) / span : 0;
    out[4 * i] = 255;
    out[4 * i + 1] = Math.round(220 * t);
    out[4 * i + 2] = 0;
    out[4 * i + 3] = Math.round(150 * t);
  }
  return out;
}

/** The smallest and largest finite weight of a map ([0, 0] when it has none). */
export function weightRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo === Infinity ? [0, 0] : [lo, hi];
}

/** The box the first visit shows: the scene whose largest (not ignored) person is tallest; null without scenes. */
export function sceneWithLargestPerson(scenes: readonly { index: number; truth: readonly DetectPixelBox[] }[]): number | null {
  let best: { index: number; h: number } | null = null;
  for (const s of scenes) {
    const h = Math.max(0, ...s.truth.filter((b) => !b.ignore).map((b) => b.y2 - b.y1));
    if (!best || h > best.h) best = { index: s.index, h };
  }
  return best?.index ?? null;
}

/**
 * The built-in scene styles the zoo's detectors were trained on, read from their datasets' names (the shipped files' and the
 * lab's runs' alike), in pane order; detectors trained on an imported set add none.
 */
export function zooSceneStyles(entries: readonly { dataset: string }[]): DetectSceneStyle[] {
  const byName: Record<string, DetectSceneStyle> = Object.fromEntries(Object.entries(PEOPLE_STYLES).map(([id, style]) => [PEOPLE_NAMES[id]!, style]));
  const out: DetectSceneStyle[] = [];
  for (const e of entries) {
    const style = Object.hasOwn(byName, e.dataset) ? byName[e.dataset] : undefined;
    if (style && !out.includes(style)) out.push(style);
  }
  return out;
}

/** 12.345 → "12.3 ms", 0.41 → "0.41 ms". */
export function formatMs(ms: number): string {
  return ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

/** A key that changes when a zoo detector is added, removed or replaced (predictions are then asked again). */
export function zooKey(entries: readonly { slot: string; origin: string; steps: number; seed: number; ap50: number | null; encoder: string }[]): string {
  return entries
    .map((e) => `${e.slot}:${e.encoder}:${e.origin}:${e.steps}:${e.seed}:${e.ap50}`)
    .sort()
    .join('|');
}

/** A box to draw: a prediction (with its query and score) or a truth box. */
export interface DrawnBox {
  key: string;
  box: DetectPixelBox;
  kind: 'truth' | 'pred';
  score?: number;
  query?: number;
}

/** The boxes of one image: truth (green) and the given predictions (orange, with scores). */
export function drawnBoxes(truth: readonly DetectPixelBox[] | null | undefined, preds: readonly DetectQueryOutput[]): DrawnBox[] {
  return [
    ...(truth ?? []).map((box, i): DrawnBox => ({ key: `t${i}`, box, kind: 'truth' })),
    ...preds.map((q): DrawnBox => ({ key: `q${q.query}`, box: q.box, kind: 'pred', score: q.score, query: q.query })),
  ];
}
