/**
 * LayerNorm (Ba et al. 2016) and multi-head attention (Vaswani et al. 2017) as PyTorch's nn.LayerNorm / nn.MultiheadAttention,
 * for the Detect lab's DETR (TECHNIQUES.md §4). Token layout [B, L, d] (batch first; DETR's [L, B, d] transposed).
 */
import * as tf from '@tensorflow/tfjs-core';
import { constant } from '../params';
import { createLinear, linear, record, type DetectBuilder, type Linear } from './detectBuilder';

/** PyTorch's nn.LayerNorm default ε. */
export const LN_EPSILON = 1e-5;

/** LayerNorm over the last axis with learned γ (ones) and β (zeros). */
export interface LayerNorm {
  gamma: tf.Variable;
  beta: tf.Variable;
}

/** Create `${name}.gamma|beta` [d], recording 2·d params and 0 MACs. */
export function createLayerNorm(b: DetectBuilder, name: string, d: number): LayerNorm {
  const ln = { gamma: constant(b.store, `${name}.gamma`, [d], 1), beta: constant(b.store, `${name}.beta`, [d], 0) };
  record(b, name, 2 * d, 0);
  return ln;
}

/** LayerNorm forward over the last axis: (x − mean)/√(var + 1e-5)·γ + β, biased variance (PyTorch), via tf.moments. */
export function layerNorm<T extends tf.Tensor>(ln: LayerNorm, x: T): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LN_EPSILON)));
  return tf.add(tf.mul(normed, ln.gamma), ln.beta) as T;
}

/** Multi-head attention: q, k, v input projections d → d, `heads` heads of d/heads, output projection d → d. */
export interface MultiHeadAttention {
  q: Linear;
  k: Linear;
  v: Linear;
  out: Linear;
  heads: number;
}

/**
 * Create `${name}.q|k|v|out.kernel|bias` for `lq` queries attending over `lk` keys. Init as DETR: xavier-uniform on PyTorch's
 * packed in_proj_weight [3d, d] (limit √(6/(d + 3d)), stored here as three [d, d] kernels), xavier-uniform out_proj weight
 * (limit √(6/2d)), zero biases. Costs: params 4·(d² + d); MACs = projections (lq + 2·lk + lq)·d² + QKᵀ lq·lk·d + AV lq·lk·d
 * (summed over heads; the scaling, softmax and head averaging are not counted).
 */
export function createAttention(b: DetectBuilder, name: string, d: number, heads: number, lq: number, lk: number): MultiHeadAttention {
  if (!Number.isInteger(heads) || heads < 1 || d % heads !== 0) throw new Error(`Attention ${name} needs d (${d}) divisible by heads (${heads}).`);
  const inProj = { kind: 'xavier', fanOut: 3 * d } as const;
  const att = {
    q: createLinear(b, `${name}.q`, d, d, lq, inProj),
    k: createLinear(b, `${name}.k`, d, d, lk, inProj),
    v: createLinear(b, `${name}.v`, d, d, lk, inProj),
    out: createLinear(b, `${name}.out`, d, d, lq, { kind: 'xavier' }),
    heads,
  };
  record(b, `${name}.matmul`, 0, 2 * lq * lk * d);
  return att;
}

/** [B, L, d] → [B, heads, L, d/heads]. */
function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  const [batch, len, d] = x.shape;
  return tf.transpose(tf.reshape(x, [batch, len, heads, d / heads]), [0, 2, 1, 3]);
}

/** Attention output [B, Lq, d] and, when asked, the attention weights averaged over heads [B, Lq, Lk]. */
export interface AttentionOutput {
  out: tf.Tensor3D;
  weights?: tf.Tensor3D;
}

/**
 * Multi-head attention forward: per head softmax(Q·Kᵀ/√(d/heads))·V with Q = query·Wq + bq, K = key·Wk + bk, V = value·Wv + bv,
 * heads concatenated then the output projection. query [B, Lq, d], key and value [B, Lk, d].
 */
export function attention(m: MultiHeadAttention, query: tf.Tensor3D, key: tf.Tensor3D, value: tf.Tensor3D, needWeights = false): AttentionOutput {
  const [batch, lq, d] = query.shape;
  const q = splitHeads(linear(m.q, query), m.heads);
  const k = splitHeads(linear(m.k, key), m.heads);
  const v = splitHeads(linear(m.v, value), m.heads);
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d / m.heads));
  const weights = tf.softmax(scores, -1) as tf.Tensor4D;
  const heads = tf.matMul(weights, v); // [B, H, Lq, dh]
  const merged = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [batch, lq, d]) as tf.Tensor3D;
  const out = linear(m.out, merged);
  return needWeights ? { out, weights: tf.mean(weights, 1) as tf.Tensor3D } : { out };
}
