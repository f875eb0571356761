/**
 * The Detect lab's compact DETR (Carion et al. 2020, made small for one class; TECHNIQUES.md §4): MobileNetV3-Small → 1×1
 * projection to d → encoder (none | transformer | conv | dwconv) → post-norm decoder over N learned queries → class and box heads
 * on every decoder layer. Input NHWC [B, H, W, 3]; HWIO conv kernels; tokens [B, L, d] row-major over the stride-32 map.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardMode } from '../layers';
import { createParamStore, heNormal, uniformInit, type ParamStore } from '../params';
import { sinePositionalEncoding } from '../../detect/positional';
import { createLayerNorm, layerNorm, type LayerNorm } from './attention';
import { convEncoderBlock, createConvEncoderBlock, type ConvEncoderBlock } from './convEncoder';
import { checkDetectArchitecture, type DetectArchitecture } from './detectArch';
import { DETECT_PARTS, createLinear, linear, record, strided, type DetectBuilder, type DetectLayerCost, type DetectPart, type Linear } from './detectBuilder';
import { createMobileNetV3Small, mobileNetV3Small, type MobileNetV3 } from './mobilenetV3';
import { createDecoderLayer, createEncoderLayer, decoderLayer, encoderLayer, type DecoderLayer, type EncoderLayer } from './transformer';

/** Per decoder layer: logits [B, N, 2] (person, no-object) and boxes [B, N, 4] (cx, cy, w, h) in [0, 1]; last = the prediction. */
export interface DetectOutput {
  logits: tf.Tensor3D[];
  boxes: tf.Tensor3D[];
  /** The last decoder layer's cross-attention weights averaged over heads, [B, N, h·w] (row-major over the map), when asked. */
  attention?: tf.Tensor3D;
}

/** A built detector: its parameters, architecture, per-layer costs and forward pass. */
export interface DetectModel {
  store: ParamStore;
  architecture: DetectArchitecture;
  layers: DetectLayerCost[];
  /** Forward in tf.tidy: only the returned tensors survive (the caller disposes them). */
  forward(x: tf.Tensor4D, mode: ForwardMode, opts?: { attention?: boolean }): DetectOutput;
  /** The backbone alone, NHWC [B, H, W, 3] → its stride-32 map [B, ⌈H/32⌉, ⌈W/32⌉, C] (for backbone pretraining; no tidy). */
  backbone(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D;
}

interface Parts {
  backbone: MobileNetV3;
  projection: { kernel: tf.Variable; bias: tf.Variable };
  encoder: { kind: 'transformer'; layers: EncoderLayer[] } | { kind: 'conv'; blocks: ConvEncoderBlock[] };
  queries: tf.Variable;
  decoder: DecoderLayer[];
  decoderNorm: LayerNorm;
  classHead: Linear;
  boxHead: [Linear, Linear, Linear];
}

/**
 * Create every parameter, recording costs per image at the architecture's input size. Names: `backbone.*`, `projection.kernel|bias`
 * (HWIO [1,1,C,d], PyTorch Conv2d default init U(±1/√C) as DETR's input_proj), `encoder.layer{i}.*`, `decoder.queries` [N, d]
 * (N(0, 1) as nn.Embedding), `decoder.layer{i}.*`, `decoder.norm` (DETR's shared final LayerNorm), `heads.class`, `heads.box.0|1|2`
 * (nn.Linear default init). The heads' MACs count every decoder layer (they run on each, for the auxiliary losses).
 */
function createParts(b: DetectBuilder, a: DetectArchitecture): Parts {
  const d = a.d;
  const [h, w] = [strided(a.inputHeight, 32), strided(a.inputWidth, 32)];
  const tokens = h * w;
  const n = a.decoder.queries;
  b.part = 'backbone';
  const backbone = createMobileNetV3Small(b, 'backbone', a.widthMultiplier, a.inputHeight, a.inputWidth);
  b.part = 'projection';
  const c = backbone.outChannels;
  const limit = 1 / Math.sqrt(c);
  const projection = { kernel: uniformInit(b.store, 'projection.kernel', [1, 1, c, d], limit), bias: uniformInit(b.store, 'projection.bias', [d], limit) };
  record(b, 'projection', c * d + d, c * d * tokens);
  b.part = 'encoder';
  const e = a.encoder;
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  const encoder: Parts['encoder'] =
    e.kind === 'transformer'
      ? { kind: 'transformer', layers: range(e.layers).map((i) => createEncoderLayer(b, `encoder.layer${i}`, d, e.heads, e.ffn, tokens)) }
      : {
          kind: 'conv',
          blocks: e.kind === 'none' ? [] : range(e.layers).map((i) => createConvEncoderBlock(b, `encoder.layer${i}`, e.kind as 'conv' | 'dwconv', d, h, w)),
        };
  b.part = 'decoder';
  const queries = heNormal(b.store, 'decoder.queries', [n, d], 2); // std √(2/2) = 1: N(0, 1)
  record(b, 'decoder.queries', n * d, 0);
  const decoder = range(a.decoder.layers).map((i) => createDecoderLayer(b, `decoder.layer${i}`, d, a.decoder.heads, a.decoder.ffn, n, tokens));
  const decoderNorm = createLayerNorm(b, 'decoder.norm', d);
  b.part = 'heads';
  const rows = a.decoder.layers * n;
  const torch = { kind: 'torch' } as const;
  const classHead = createLinear(b, 'heads.class', d, 2, rows, torch);
  const boxHead: Parts['boxHead'] = [
    createLinear(b, 'heads.box.0', d, d, rows, torch),
    createLinear(b, 'heads.box.1', d, d, rows, torch),
    createLinear(b, 'heads.box.2', d, 4, rows, torch),
  ];
  return { backbone, projection, encoder, queries, decoder, decoderNorm, classHead, boxHead };
}

/** Build a detector from its architecture with parameters drawn from `seed` (identical on every backend). */
export function buildDetector(arch: DetectArchitecture, seed = 0): DetectModel {
  checkDetectArchitecture(arch);
  const architecture = structuredClone(arch);
  const b: DetectBuilder = { store: createParamStore(seed), layers: [], part: 'backbone' };
  const p = createParts(b, architecture);
  const posCache = new Map<string, Float32Array>();
  const posFor = (h: number, w: number) => {
    const key = `${h}x${w}`;
    let v = posCache.get(key);
    if (!v) posCache.set(key, (v = sinePositionalEncoding(h, w, architecture.d)));
    return tf.tensor2d(v, [h * w, architecture.d]);
  };
  const run = (x: tf.Tensor4D, mode: ForwardMode, wantAttention: boolean): DetectOutput => {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`The detector needs an NHWC [B, H, W, 3] input, got [${x.shape.join(', ')}].`);
    const d = architecture.d;
    let f = mobileNetV3Small(p.backbone, x, mode);
    f = tf.add(tf.conv2d(f, p.projection.kernel as tf.Tensor4D, 1, 'valid'), p.projection.bias);
    const [batch, h, w] = f.shape;
    const pos = posFor(h, w);
    if (p.encoder.kind === 'conv') for (const blk of p.encoder.blocks) f = convEncoderBlock(blk, f, mode);
    let memory = tf.reshape(f, [batch, h * w, d]) as tf.Tensor3D;
    if (p.encoder.kind === 'transformer') for (const l of p.encoder.layers) memory = encoderLayer(l, memory, pos);
    const n = p.queries.shape[0]!;
    let tgt = tf.zeros([batch, n, d]) as tf.Tensor3D;
    const out: DetectOutput = { logits: [], boxes: [] };
    p.decoder.forEach((l, i) => {
      const last = i === p.decoder.length - 1;
      const r = decoderLayer(l, tgt, memory, pos, p.queries as tf.Tensor2D, wantAttention && last);
      tgt = r.out;
      if (r.weights) out.attention = r.weights;
      const hs = layerNorm(p.decoderNorm, tgt);
      out.logits.push(linear(p.classHead, hs));
      const [b0, b1, b2] = p.boxHead;
      out.boxes.push(tf.sigmoid(linear(b2, tf.relu(linear(b1, tf.relu(linear(b0, hs)))))));
    });
    return out;
  };
  return {
    store: b.store,
    architecture,
    layers: b.layers,
    forward: (x, mode, opts) => tf.tidy(() => run(x, mode, opts?.attention ?? false) as unknown as tf.TensorContainer) as unknown as DetectOutput,
    backbone: (x, mode) => mobileNetV3Small(p.backbone, x, mode),
  };
}

/** Params and MACs (per image, at the architecture's input size) of one part. */
export interface DetectPartCost {
  part: DetectPart;
  params: number;
  macs: number;
}

/** The per-part cost table (backbone, projection, encoder, decoder, heads) and the totals, summed from the recorded layers. */
export function detectCost(model: Pick<DetectModel, 'layers'>): { parts: DetectPartCost[]; params: number; macs: number } {
  const parts = DETECT_PARTS.map((part) => {
    const ls = model.layers.filter((l) => l.part === part);
    return { part, params: ls.reduce((s, l) => s + l.params, 0), macs: ls.reduce((s, l) => s + l.macs, 0) };
  });
  return { parts, params: parts.reduce((s, p) => s + p.params, 0), macs: parts.reduce((s, p) => s + p.macs, 0) };
}
