import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { hashSeed, mulberry32 } from '../random';
import { affinityMatrix, faLoss, ffaLoss, gaussianZ, normalizedPixels, resizeTeacher, rowL21Estimate } from './affinity';

// ---- float64 references -------------------------------------------------------------------------------------------

type Mat = number[][];

/** NHWC values → per image, the N×C matrix of pixels divided by (ℓ2 norm + 1e-5), in float64. */
function normalized64(v: ArrayLike<number>, [b, h, w, c]: number[]): Mat[] {
  const n = h! * w!;
  return Array.from({ length: b! }, (_, bi) =>
    Array.from({ length: n }, (_, p) => {
      const row = Array.from({ length: c! }, (_, ci) => v[(bi * n + p) * c! + ci]!);
      const norm = Math.sqrt(row.reduce((a, x) => a + x * x, 0));
      return row.map((x) => x / (norm + 1e-5));
    }),
  );
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const gram = (p: Mat): Mat => p.map((ri) => p.map((rj) => dot(ri, rj)));
/** Per image A_S − A_T, N×N. */
const diff64 = (ps: Mat[], pt: Mat[]): Mat[] => ps.map((p, b) => gram(p).map((row, i) => row.map((x, j) => x - gram(pt[b]!)[i]![j]!)));
const sumAll = (ms: Mat[], f: (x: number) => number) => ms.reduce((s, m) => s + m.reduce((t, row) => t + row.reduce((u, x) => u + f(x), 0), 0), 0);

function fa64(ps: Mat[], pt: Mat[], order: 1 | 2): number {
  const n = ps[0]!.length;
  const d = diff64(ps, pt);
  return order === 1 ? sumAll(d, Math.abs) / (n * n) : Math.sqrt(sumAll(d, (x) => x * x)) / n;
}

/** F̂(F̂ᵀZ) per image, N×k, with Z given row-major [N,k]. */
function sketch64(p: Mat, z: ArrayLike<number>, k: number): Mat {
  const c = p[0]!.length;
  const ptz = Array.from({ length: c }, (_, ci) => Array.from({ length: k }, (_, j) => p.reduce((s, row, r) => s + row[ci]! * z[r * k + j]!, 0)));
  return p.map((row) => Array.from({ length: k }, (_, j) => row.reduce((s, x, ci) => s + x * ptz[ci]![j]!, 0)));
}

function ffa64(ps: Mat[], pt: Mat[], z: ArrayLike<number>, k: number, order: 1 | 2): number {
  const n = ps[0]!.length;
  const d = ps.map((p, b) => {
    const t = sketch64(pt[b]!, z, k);
    return sketch64(p, z, k).map((row, i) => row.map((x, j) => x - t[i]![j]!));
  });
  return order === 1 ? sumAll(d, Math.abs) / k / (n * n) : Math.sqrt(sumAll(d, (x) => x * x) / k) / n;
}

function rowL21_64(ps: Mat[], pt: Mat[]): number {
  const n = ps[0]!.length;
  const rows = diff64(ps, pt).reduce((s, m) => s + m.reduce((t, row) => t + Math.sqrt(dot(row, row)), 0), 0);
  return (Math.sqrt(2 / Math.PI) * rows) / (n * n);
}

/** PyTorch F.interpolate(mode='bilinear', align_corners=False) on NHWC values, float64. */
function bilinear64(v: ArrayLike<number>, [b, inH, inW, c]: number[], h: number, w: number): number[] {
  const coord = (o: number, inSize: number, outSize: number) => {
    const src = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    return { i0, i1: Math.min(i0 + 1, inSize - 1), t: src - i0 };
  };
  const out: number[] = [];
  for (let bi = 0; bi < b!; bi++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const r = coord(y, inH!, h);
        const q = coord(x, inW!, w);
        for (let ci = 0; ci < c!; ci++) {
          const at = (yy: number, xx: number) => v[((bi * inH! + yy) * inW! + xx) * c! + ci]!;
          const top = at(r.i0, q.i0) * (1 - q.t) + at(r.i0, q.i1) * q.t;
          const bot = at(r.i1, q.i0) * (1 - q.t) + at(r.i1, q.i1) * q.t;
          out.push(top * (1 - r.t) + bot * r.t);
        }
      }
  return out;
}

// ---- helpers --------------------------------------------------------------------------------------------------------

type Shape4 = [number, number, number, number];

const rand = (shape: Shape4, seed: number) => {
  const rng = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: shape.reduce((a, x) => a * x, 1) }, () => 2 * rng() - 1),
    shape,
  );
};

const value = (s: tf.Scalar) => {
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
};

const expectRel = (got: number, want: number, rel: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)));

/** Mean and standard error of the mean. */
function meanSe(xs: number[]): { mean: number; se: number; sd: number } {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd, se: sd / Math.sqrt(xs.length) };
}

/**
 * Analytic gradient of loss w.r.t. x against central differences (float32, eps 1e-2) at a few coordinates. Tolerance
 * 2e-2 relative + 1e-4 absolute: the float32 round-off of a difference quotient of an O(1) loss is ~1e-7 / 2e-2 ≈ 1e-5,
 * and the gradients here are ~1e-3…5e-2 (the losses divide by N²), so a 1e-3 floor would hide real errors.
 */
function checkGradient(loss: (x: tf.Tensor4D) => tf.Scalar, x: tf.Tensor4D, coords: number[]): void {
  const g = tf.grad((t) => loss(t as tf.Tensor4D))(x);
  const analytic = g.dataSync();
  g.dispose();
  const base = x.dataSync();
  const eps = 1e-2;
  const at = (i: number, delta: number) => {
    const v = Float32Array.from(base);
    v[i]! += delta;
    const xp = tf.tensor4d(v, x.shape);
    const l = value(loss(xp));
    xp.dispose();
    return l;
  };
  for (const i of coords) {
    const fd = (at(i, eps) - at(i, -eps)) / (2 * eps);
    expect(Math.abs(analytic[i]! - fd), `coordinate ${i}: analytic ${analytic[i]} vs finite difference ${fd}`).toBeLessThanOrEqual(2e-2 * Math.abs(fd) + 1e-4);
  }
}

// B = 2, student 4×4×3 (N = 16), teacher 8×8×5 resized to 4×4.
const S_SHAPE: Shape4 = [2, 4, 4, 3];
const T_SHAPE: Shape4 = [2, 8, 8, 5];
const N = 16;

/** The student, the teacher, and the float64 normalized pixels of the student and of the *resized* teacher as read back. */
function fixture(seed = 1) {
  const fs = rand(S_SHAPE, seed);
  const ft = rand(T_SHAPE, seed + 100);
  const rt = resizeTeacher(ft, 4, 4);
  const ps = normalized64(fs.dataSync(), S_SHAPE);
  const pt = normalized64(rt.dataSync(), [2, 4, 4, 5]);
  rt.dispose();
  return { fs, ft, ps, pt };
}

// ---- tests ----------------------------------------------------------------------------------------------------------

describe('resizeTeacher (half-pixel bilinear = PyTorch align_corners=False)', () => {
  it('matches a float64 reference when downsampling 8×8 → 4×4 and upsampling 3×5 → 4×7', () => {
    const cases: [Shape4, number, number][] = [
      [T_SHAPE, 4, 4],
      [[1, 3, 5, 2], 4, 7],
    ];
    for (const [shape, h, w] of cases) {
      const x = rand(shape, 9);
      const ref = bilinear64(x.dataSync(), shape, h, w);
      const r = resizeTeacher(x, h, w);
      expect(r.shape).toEqual([shape[0], h, w, shape[3]]);
      const got = r.dataSync();
      ref.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-6));
      tf.dispose([x, r]);
    }
  });

  it('is the identity (a clone) at the same size', () => {
    const x = rand(S_SHAPE, 3);
    const r = resizeTeacher(x, 4, 4);
    expect(r).not.toBe(x);
    expect(Array.from(r.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, r]);
  });
});

describe('normalizedPixels and affinityMatrix', () => {
  it('divide each pixel by its ℓ2 norm + 1e-5 and give F̂F̂ᵀ, as the float64 reference', () => {
    const { fs, ft, ps } = fixture();
    const p = normalizedPixels(fs);
    expect(p.shape).toEqual([2, N, 3]);
    ps.flat(2).forEach((v, i) => expect(Math.abs(p.dataSync()[i]! - v)).toBeLessThan(1e-6));
    const a = affinityMatrix(fs);
    expect(a.shape).toEqual([2, N, N]);
    ps.map(gram)
      .flat(2)
      .forEach((v, i) => expect(Math.abs(a.dataSync()[i]! - v)).toBeLessThan(1e-6));
    tf.dispose([fs, ft, p, a]);
  });
});

describe('FA (Wang et al. CVPR 2020) and FFA (Li et al. 2023) losses', () => {
  it('FA₁, FA₂, FFA₁, FFA₂ and the row-ℓ2,1 estimate match float64 on the resized teacher (C_s = 3, C_t = 5)', () => {
    const { fs, ft, ps, pt } = fixture();
    for (const order of [1, 2] as const) expectRel(value(faLoss(fs, ft, order)), fa64(ps, pt, order), 1e-5);
    const k = 6;
    const z = gaussianZ(N, k, 42);
    const zv = z.dataSync();
    for (const order of [1, 2] as const) expectRel(value(ffaLoss(fs, ft, z, order)), ffa64(ps, pt, zv, k, order), 1e-5);
    expectRel(value(rowL21Estimate(fs, ft)), rowL21_64(ps, pt), 1e-5);
    expect(value(faLoss(fs, fs, 1))).toBe(0);
    expect(value(ffaLoss(fs, fs, z, 2))).toBe(0);
    tf.dispose([fs, ft, z]);
  });

  it('gaussianZ is seeded, [n,k], and roughly N(0,1)', () => {
    const a = gaussianZ(50, 40, 5);
    const b = gaussianZ(50, 40, 5);
    const c = gaussianZ(50, 40, 6);
    expect(a.shape).toEqual([50, 40]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const { mean, sd } = meanSe(Array.from(a.dataSync()));
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(2000)); // 4 standard errors of the mean of 2000 N(0,1)
    expect(Math.abs(sd - 1)).toBeLessThan(0.07); // SE of the sample sd ≈ 1/√(2·2000) ≈ 0.016
    tf.dispose([a, b, c]);
  });

  it('FFA₂² is unbiased for FA₂²: mean over 400 seeded Z (k = 4) within 4 standard errors', () => {
    const { fs, ft } = fixture(2);
    const fa2 = value(faLoss(fs, ft, 2)) ** 2;
    const draws = Array.from({ length: 400 }, (_, i) => {
      const z = gaussianZ(N, 4, hashSeed(7, i));
      const l = value(ffaLoss(fs, ft, z, 2));
      z.dispose();
      return l * l;
    });
    const { mean, se } = meanSe(draws);
    expect(Math.abs(mean - fa2)).toBeLessThan(4 * se);
    expect(se).toBeLessThan(0.1 * fa2); // the test has teeth: a 40% bias would fail
    tf.dispose([fs, ft]);
  });

  it('FFA₁ estimates sqrt(2/π)·Σ‖row_i(A_S − A_T)‖₂/N² (not FA₁): mean over 400 seeded Z (k = 4) within 4 standard errors', () => {
    const { fs, ft } = fixture(3);
    const target = value(rowL21Estimate(fs, ft));
    const draws = Array.from({ length: 400 }, (_, i) => {
      const z = gaussianZ(N, 4, hashSeed(8, i));
      const l = value(ffaLoss(fs, ft, z, 1));
      z.dispose();
      return l;
    });
    const { mean, se } = meanSe(draws);
    expect(Math.abs(mean - target)).toBeLessThan(4 * se);
    // …and that target is not FA₁ (Σ|·| ≥ Σ row ℓ2 norms, so FA₁ is well above it here).
    expect(value(faLoss(fs, ft, 1))).toBeGreaterThan(target + 10 * se);
    tf.dispose([fs, ft]);
  });

  it('the relative spread of FFA₂² falls like 1/√k: spread(k = 4) / spread(k = 64) ∈ [2, 8] (expected 4)', () => {
    const { fs, ft } = fixture(4);
    const relSpread = (k: number) => {
      const { mean, sd } = meanSe(
        Array.from({ length: 200 }, (_, i) => {
          const z = gaussianZ(N, k, hashSeed(9, k, i));
          const l = value(ffaLoss(fs, ft, z, 2));
          z.dispose();
          return l * l;
        }),
      );
      return sd / mean;
    };
    const ratio = relSpread(4) / relSpread(64);
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(8);
    tf.dispose([fs, ft]);
  });

  it('gradients w.r.t. the student feature match central finite differences (FA₁, FA₂, FFA₁, FFA₂)', () => {
    const { fs, ft } = fixture(5);
    const z = gaussianZ(N, 5, 11);
    const coords = [0, 7, 20, 47, 50, 95];
    for (const order of [1, 2] as const) {
      checkGradient((x) => faLoss(x, ft, order), fs, coords);
      checkGradient((x) => ffaLoss(x, ft, z, order), fs, coords);
    }
    tf.dispose([fs, ft, z]);
  });

  it('gradients stay finite at an all-zero student pixel and at a zero loss (student = teacher), and the teacher gets none', () => {
    const { fs, ft } = fixture(6);
    const z = gaussianZ(N, 5, 12);
    const zeroPixel = tf.tidy(() =>
      tf.mul(
        fs,
        tf.tensor4d(
          Array.from({ length: 96 }, (_, i) => (i < 3 ? 0 : 1)),
          S_SHAPE,
        ),
      ),
    );
    const losses: ((x: tf.Tensor4D) => tf.Scalar)[] = [
      (x) => faLoss(x, ft, 1),
      (x) => faLoss(x, ft, 2),
      (x) => ffaLoss(x, ft, z, 1),
      (x) => ffaLoss(x, ft, z, 2),
    ];
    for (const loss of losses) {
      const g = tf.grad((x) => loss(x as tf.Tensor4D))(zeroPixel);
      expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
      g.dispose();
    }
    for (const loss of [(x: tf.Tensor4D) => faLoss(x, fs, 2), (x: tf.Tensor4D) => ffaLoss(x, fs, z, 2)]) {
      const g = tf.grad((x) => loss(x as tf.Tensor4D))(fs);
      expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
      g.dispose();
    }
    const [, gt] = tf.grads((a, b) => faLoss(a as tf.Tensor4D, b as tf.Tensor4D, 2))([fs, ft]);
    expect(Array.from(gt!.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([fs, ft, z, zeroPixel, gt!]);
  });

  it('refuses a Z whose row count is not N = H·W, a batch mismatch and a wrong rank', () => {
    const { fs, ft } = fixture();
    const z = gaussianZ(15, 4, 1);
    const other = rand([3, 4, 4, 3], 1);
    const rank3 = tf.zeros([4, 4, 3]) as unknown as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => ffaLoss(fs, ft, z, 2)).toThrow(/Z must be \[N, k\] with N = H·W = 4·4 = 16 rows.*\[15,4\]/);
    expect(() => faLoss(fs, other, 1)).toThrow(/same batch size/);
    expect(() => normalizedPixels(rank3)).toThrow(/NHWC/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([other, rank3]);
    tf.dispose([fs, ft, z]);
  });

  it('leaks no tensors (forward, and gradients through every loss)', () => {
    const { fs, ft } = fixture();
    const z = gaussianZ(N, 4, 1);
    const before = tf.memory().numTensors;
    const outs = [
      normalizedPixels(fs),
      resizeTeacher(ft, 4, 4),
      resizeTeacher(fs, 4, 4),
      affinityMatrix(fs),
      faLoss(fs, ft, 1),
      faLoss(fs, ft, 2),
      ffaLoss(fs, ft, z, 1),
      ffaLoss(fs, ft, z, 2),
      rowL21Estimate(fs, ft),
      gaussianZ(8, 3, 1),
    ];
    tf.dispose(outs);
    for (const order of [1, 2] as const) {
      tf.dispose(tf.grad((x) => faLoss(x as tf.Tensor4D, ft, order))(fs));
      tf.dispose(tf.grad((x) => ffaLoss(x as tf.Tensor4D, ft, z, order))(fs));
      tf.dispose(tf.grads((a, b) => faLoss(a as tf.Tensor4D, b as tf.Tensor4D, order))([fs, ft]));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([fs, ft, z]);
  });
});
