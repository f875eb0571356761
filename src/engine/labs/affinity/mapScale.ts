/**
 * The colour scales of an evaluation's affinity heatmaps, worked out in the worker so that the page's redraw only
 * samples the matrices (an N = 256 stage is 131 k values per pair).
 */
export interface MapScale {
  /** Min and max of the finite entries of both matrices ([0, 1] when there is none; [v, v + 1] when all equal v). */
  lo: number;
  hi: number;
  /** max |student − teacher| over the entries where it is finite (0 when none is). */
  diffMax: number;
}

export function mapScale(teacher: Float32Array, student: Float32Array): MapScale {
  if (teacher.length !== student.length) throw new Error(`Affinity matrices differ in size (${teacher.length} vs ${student.length}).`);
  let lo = Infinity;
  let hi = -Infinity;
  let diffMax = 0;
  for (let i = 0; i < teacher.length; i++) {
    const t = teacher[i]!;
    const s = student[i]!;
    // NaN fails every comparison; ±Infinity is left out explicitly.
    if (t !== Infinity && t !== -Infinity) {
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    if (s !== Infinity && s !== -Infinity) {
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    const d = Math.abs(s - t);
    if (d > diffMax && d !== Infinity) diffMax = d;
  }
  if (lo === Infinity) return { lo: 0, hi: 1, diffMax };
  return { lo, hi: hi === lo ? lo + 1 : hi, diffMax };
}
