/**
 * DETR's post-norm transformer layers (Carion et al. 2020, models/transformer.py forward_post, without dropout) for the Detect
 * lab (TECHNIQUES.md §4). Tokens [B, L, d]; positional encodings [L, d] broadcast over the batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attention, createAttention, createLayerNorm, layerNorm, type LayerNorm, type MultiHeadAttention } from './attention';
import { createLinear, linear, type DetectBuilder, type Linear } from './detectBuilder';

const add = (a: tf.Tensor3D, b: tf.Tensor): tf.Tensor3D => tf.add(a, b);

/** Feed-forward network: linear d → ffn, ReLU, linear ffn → d (xavier weights, zero biases). */
export interface FeedForward {
  linear1: Linear;
  linear2: Linear;
}

/** Create `${name}.linear1|linear2` for `tokens` tokens: params 2·d·ffn + ffn + d, MACs 2·tokens·d·ffn. */
export function createFeedForward(b: DetectBuilder, name: string, d: number, ffn: number, tokens: number): FeedForward {
  return {
    linear1: createLinear(b, `${name}.linear1`, d, ffn, tokens, { kind: 'xavier' }),
    linear2: createLinear(b, `${name}.linear2`, ffn, d, tokens, { kind: 'xavier' }),
  };
}

/** FFN forward [B, L, d] → [B, L, d]. */
export function feedForward(f: FeedForward, x: tf.Tensor3D): tf.Tensor3D {
  return linear(f.linear2, tf.relu(linear(f.linear1, x)));
}

/** A post-norm encoder layer: self-attention (pos added to q and k), add & LN, FFN, add & LN. */
export interface EncoderLayer {
  selfAttn: MultiHeadAttention;
  norm1: LayerNorm;
  ffn: FeedForward;
  norm2: LayerNorm;
}

/** Create `${name}.selfAttn|norm1|ffn|norm2` over `tokens` tokens: params 4(d² + d) + 2·d·ffn + ffn + d + 4·d. */
export function createEncoderLayer(b: DetectBuilder, name: string, d: number, heads: number, ffn: number, tokens: number): EncoderLayer {
  return {
    selfAttn: createAttention(b, `${name}.selfAttn`, d, heads, tokens, tokens),
    norm1: createLayerNorm(b, `${name}.norm1`, d),
    ffn: createFeedForward(b, `${name}.ffn`, d, ffn, tokens),
    norm2: createLayerNorm(b, `${name}.norm2`, d),
  };
}

/** x = LN1(x + SelfAttn(q = k = x + pos, v = x)); x = LN2(x + FFN(x)). src [B, L, d], pos [L, d]. */
export function encoderLayer(l: EncoderLayer, src: tf.Tensor3D, pos: tf.Tensor2D): tf.Tensor3D {
  const qk = add(src, pos);
  const x = layerNorm(l.norm1, add(src, attention(l.selfAttn, qk, qk, src).out));
  return layerNorm(l.norm2, add(x, feedForward(l.ffn, x)));
}

/** A post-norm decoder layer: self-attention, add & LN, cross-attention to the memory, add & LN, FFN, add & LN. */
export interface DecoderLayer {
  selfAttn: MultiHeadAttention;
  norm1: LayerNorm;
  crossAttn: MultiHeadAttention;
  norm2: LayerNorm;
  ffn: FeedForward;
  norm3: LayerNorm;
}

/** Create `${name}.selfAttn|norm1|crossAttn|norm2|ffn|norm3` for `queries` queries over `tokens` memory tokens. */
export function createDecoderLayer(b: DetectBuilder, name: string, d: number, heads: number, ffn: number, queries: number, tokens: number): DecoderLayer {
  return {
    selfAttn: createAttention(b, `${name}.selfAttn`, d, heads, queries, queries),
    norm1: createLayerNorm(b, `${name}.norm1`, d),
    crossAttn: createAttention(b, `${name}.crossAttn`, d, heads, queries, tokens),
    norm2: createLayerNorm(b, `${name}.norm2`, d),
    ffn: createFeedForward(b, `${name}.ffn`, d, ffn, queries),
    norm3: createLayerNorm(b, `${name}.norm3`, d),
  };
}

/**
 * tgt = LN1(tgt + SelfAttn(q = k = tgt + queryPos, v = tgt)); tgt = LN2(tgt + CrossAttn(q = tgt + queryPos, k = memory + pos,
 * v = memory)); tgt = LN3(tgt + FFN(tgt)). tgt [B, N, d], memory [B, L, d], pos [L, d], queryPos [N, d]; `weights` = the
 * cross-attention averaged over heads [B, N, L] when asked.
 */
export function decoderLayer(
  l: DecoderLayer,
  tgt: tf.Tensor3D,
  memory: tf.Tensor3D,
  pos: tf.Tensor2D,
  queryPos: tf.Tensor2D,
  needWeights = false,
): { out: tf.Tensor3D; weights?: tf.Tensor3D } {
  const qk = add(tgt, queryPos);
  let x = layerNorm(l.norm1, add(tgt, attention(l.selfAttn, qk, qk, tgt).out));
  const cross = attention(l.crossAttn, add(x, queryPos), add(memory, pos), memory, needWeights);
  x = layerNorm(l.norm2, add(x, cross.out));
  const out = layerNorm(l.norm3, add(x, feedForward(l.ffn, x)));
  return cross.weights ? { out, weights: cross.weights } : { out };
}
