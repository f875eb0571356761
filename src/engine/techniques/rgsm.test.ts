import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Sgd } from '../optim/sgd';
import { mulberry32 } from '../random';
import { makeProx, type ProxKind } from './prox';
import { RgsmState, rgsmStep } from './rgsm';

// Model: out = conv2d_valid(x, w) + b, x [1,3,3,3], w HWIO [2,2,3,2], out [1,2,2,2]; loss = ½·mean((out − y)²).
const KH = 2,
  C = 3,
  O = 2,
  XS = 3,
  OS = 2,
  M = OS * OS * O;
const wIdx = (di: number, dj: number, c: number, o: number) => ((di * KH + dj) * C + c) * O + o;
const xIdx = (i: number, j: number, c: number) => (i * XS + j) * C + c;
const oIdx = (i: number, j: number, o: number) => (i * OS + j) * O + o;

const rng = mulberry32(11);
const X = Float64Array.from({ length: XS * XS * C }, () => Math.fround(2 * rng() - 1));
const Y = Float64Array.from({ length: M }, () => Math.fround(2 * rng() - 1));
// Input channel 2 is small: its group falls under the prox threshold and gets pruned.
const W0 = Float64Array.from({ length: KH * KH * C * O }, (_, k) => Math.fround((2 * rng() - 1) * (Math.floor(k / O) % C === 2 ? 0.05 : 1)));
const B0 = Float64Array.from([0.1, -0.2]);
const HP = { lr: 0.1, momentum: 0.9, weightDecay: 0.01, lambda1: 0.045, lambda2: 0.05, beta: 2 };

/** Float64 plain-JS prox over input-channel groups. */
function proxRef(w: Float64Array, kind: ProxKind): Float64Array {
  const u = new Float64Array(w.length);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let k = 0; k < w.length; k++) if (Math.floor(k / O) % C === c) s += w[k]! ** 2;
    const n = Math.sqrt(s);
    const f = kind === 'hard' ? (n > Math.sqrt((2 * HP.lambda1) / HP.beta) ? 1 : 0) : n > 0 ? Math.max(0, 1 - HP.lambda1 / HP.beta / n) : 0;
    for (let k = 0; k < w.length; k++) if (Math.floor(k / O) % C === c) u[k] = w[k]! * f;
  }
  return u;
}

/** Float64 reference of `steps` RGSM steps (§1 order), analytic gradients. */
function reference(steps: number, kind: ProxKind) {
  const w = Float64Array.from(W0),
    b = Float64Array.from(B0);
  const vw = new Float64Array(w.length),
    vb = new Float64Array(b.length);
  let u = proxRef(w, kind);
  const sgd = (p: Float64Array, g: Float64Array, v: Float64Array) => {
    for (let k = 0; k < p.length; k++) {
      const gd = g[k]! + HP.weightDecay * p[k]!;
      v[k] = HP.momentum * v[k]! + gd;
      p[k] = p[k]! - HP.lr * (gd + HP.momentum * v[k]!);
    }
  };
  for (let s = 0; s < steps; s++) {
    // (1) gradient of ½·mean(r²) + λ2·Σ_g sqrt(‖w_g‖² + 1e-8) at the current w.
    const r = new Float64Array(M);
    for (let i = 0; i < OS; i++)
      for (let j = 0; j < OS; j++)
        for (let o = 0; o < O; o++) {
          let acc = b[o]!;
          for (let di = 0; di < KH; di++)
            for (let dj = 0; dj < KH; dj++) for (let c = 0; c < C; c++) acc += X[xIdx(i + di, j + dj, c)]! * w[wIdx(di, dj, c, o)]!;
          r[oIdx(i, j, o)] = acc - Y[oIdx(i, j, o)]!;
        }
    const gw = new Float64Array(w.length),
      gb = new Float64Array(b.length);
    for (let i = 0; i < OS; i++)
      for (let j = 0; j < OS; j++)
        for (let o = 0; o < O; o++) {
          const ro = r[oIdx(i, j, o)]! / M;
          gb[o] = gb[o]! + ro;
          for (let di = 0; di < KH; di++)
            for (let dj = 0; dj < KH; dj++)
              for (let c = 0; c < C; c++) {
                gw[wIdx(di, dj, c, o)] = gw[wIdx(di, dj, c, o)]! + ro * X[xIdx(i + di, j + dj, c)]!;
              }
        }
    for (let c = 0; c < C; c++) {
      let sq = 0;
      for (let k = 0; k < w.length; k++) if (Math.floor(k / O) % C === c) sq += w[k]! ** 2;
      const d = Math.sqrt(sq + 1e-8);
      for (let k = 0; k < w.length; k++) if (Math.floor(k / O) % C === c) gw[k] = gw[k]! + (HP.lambda2 * w[k]!) / d;
    }
    // (2) coupling on w, (3) SGD on w and b with the gradients of (1), (4) u ← prox(w).
    for (let k = 0; k < w.length; k++) w[k] = w[k]! - HP.lr * HP.beta * (w[k]! - u[k]!);
    sgd(w, gw, vw);
    sgd(b, gb, vb);
    u = proxRef(w, kind);
  }
  return { w, b, u };
}

function setup(kind: ProxKind) {
  const [w, b] = tf.tidy(() => [tf.variable(tf.tensor4d(Float32Array.from(W0), [KH, KH, C, O])), tf.variable(tf.tensor1d(Float32Array.from(B0)))]);
  const x = tf.tensor4d(Float32Array.from(X), [1, XS, XS, C]);
  const y = tf.tensor4d(Float32Array.from(Y), [1, OS, OS, O]);
  const trainable = new Map<string, tf.Variable>([
    ['conv.kernel', w],
    ['conv.bias', b],
  ]);
  const state = new RgsmState(new Map<string, tf.Variable>([['conv.kernel', w]]));
  const prox = makeProx(kind, HP.lambda1, HP.beta, 'input');
  state.reinit(prox);
  const sgd = new Sgd(trainable, { lr: 1, momentum: HP.momentum, weightDecay: HP.weightDecay, nesterov: true });
  const loss = () => tf.mul(tf.mean(tf.square(tf.sub(tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, 'valid'), b), y))), 0.5) as tf.Scalar;
  const step = () => rgsmStep({ state, sgd, trainable, loss, lr: HP.lr, lambda2: HP.lambda2, beta: HP.beta, grouping: 'input', prox });
  const dispose = () => {
    sgd.dispose();
    state.dispose();
    tf.dispose([w, b, x, y]);
  };
  return { w, b, state, step, dispose };
}

const expectClose = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) expect(Math.abs(got[k]! - want[k]!)).toBeLessThanOrEqual(1e-5 * Math.abs(want[k]!) + 1e-6);
};

describe('rgsmStep', () => {
  for (const kind of ['hard', 'soft'] as const) {
    it(`matches a float64 reference of the four sub-steps over 3 steps (${kind} prox)`, async () => {
      const s = setup(kind);
      for (let i = 0; i < 3; i++) s.step().dispose();
      const want = reference(3, kind);
      expectClose(await s.w.data(), want.w);
      expectClose(await s.b.data(), want.b);
      const u = await s.state.u.get('conv.kernel')!.data();
      expectClose(u, want.u);
      // hard prox: the small input channel 2 is exactly zero in u (and the others are not)
      if (kind === 'hard') for (let k = 0; k < u.length; k++) expect(u[k] === 0).toBe(Math.floor(k / O) % C === 2);
      s.dispose();
    });
  }

  it('leaves the tensor count unchanged per step and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const s = setup('hard');
    s.step().dispose(); // creates the momentum buffers
    const mid = tf.memory().numTensors;
    s.step().dispose();
    s.step().dispose();
    expect(tf.memory().numTensors).toBe(mid);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('RgsmState', () => {
  it('couples w towards u and swaps u in for evaluation, restoring w exactly', async () => {
    const w = tf.variable(tf.tensor4d([1, 2, 0.01, 0.02], [1, 1, 2, 2]));
    const state = new RgsmState(new Map([['k', w]]));
    state.reinit(makeProx('hard', 0.5, 1, 'input')); // threshold 1: group 1 → 0
    expect(Array.from(await state.u.get('k')!.data())).toEqual([1, 2, 0, 0]);
    state.couple(0.5, 1); // w − 0.5·(w − u)
    const coupled = Array.from(await w.data());
    [1, 2, 0.005, 0.01].forEach((v, i) => expect(coupled[i]).toBeCloseTo(v, 7));
    const before = tf.memory().numTensors;
    const seen = await state.withU(async () => Array.from(await w.data()));
    expect(seen).toEqual([1, 2, 0, 0]);
    expect(Array.from(await w.data())).toEqual(coupled);
    await expect(state.withU(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(Array.from(await w.data())).toEqual(coupled);
    expect(tf.memory().numTensors).toBe(before);
    state.dispose();
    w.dispose();
  });
});
