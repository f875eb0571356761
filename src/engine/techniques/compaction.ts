/**
 * Physical removal of dead channels after RGSM / group-Lasso pruning (TECHNIQUES.md §1 "Compaction";
 * Yang et al. 2019 prune input-channel groups, this turns the zeros into a smaller dense net).
 *
 * Rule: a channel of a channel space (see `ChannelSpace`) is dead when EVERY consumer ignores it:
 * the input-channel group (HWIO axes [0,1,3]) of every conv reading it has ℓ2 norm ≤ threshold,
 * and, where the dense layer reads it, all its dense rows (every spatial position) too. A dead
 * channel is dropped from the producer kernels (HWIO axis 3), their BN vectors (γ, β, running
 * mean/var) and the consumers (HWIO axis 2, dense rows). BN, ReLU, max-pool, average-pool and the
 * identity add of a residual block act per channel, so nothing else ever reads it: exact.
 * - VGG: space = output of conv l; consumer = conv l+1 (or the dense rows after the last conv).
 * - ResNet: inside a block (conv1 → bn1 → conv2), consumer = conv2. A residual stream (stem and
 *   each stage) is read by the conv1 (and 1×1 shortcut conv) of every block fed by it and, for the
 *   last stage, by the dense rows; its channel is dropped from all its writers (stem or conv2 + bn2,
 *   shortcut conv + bn) only when zero in all those consumers.
 * - The network input (RGB) is fixed: a zero input group of the first conv is kept (stays zero).
 * - A zero OUTPUT filter alone is not removed: its BN still emits β − γ·μ/√(σ²+ε), a constant map
 *   that ReLU may pass, and with 'same' zero padding the next conv sees it as non-constant near the
 *   borders, so it cannot be folded into a bias. It goes only if it is also dead by the input rule.
 * - At least one channel per space is kept (the first), so the rebuilt net stays well formed; its
 *   consumers are zero, so this is still exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ChannelSpace, Classifier } from '../models/model';
import { disposeParams, type ParamStore } from '../models/params';
import { buildModel, modelLayout, withPlanSizes } from '../models/registry';

export interface CompactionOptions {
  /** A channel is dead when every consumer group has ℓ2 norm ≤ threshold (the Prune lab's zero threshold, as channel sparsity). */
  threshold: number;
}

export interface SpaceRemoval {
  /** `conv3`, `layer2.0.inner`, `stage2`, … (see ChannelSpace). */
  name: string;
  kind: ChannelSpace['kind'];
  before: number;
  after: number;
  /** Removed channel indices of the original model, ascending. */
  removed: number[];
}

export interface CompactionResult {
  /** A fresh classifier (own ParamStore) built from the reduced plan, weights copied in. */
  model: Classifier;
  /** One entry per channel space, in plan order. */
  removed: SpaceRemoval[];
}

const BN_VECTORS = ['gamma', 'beta', 'runningMean', 'runningVar'] as const;

function param(store: ParamStore, name: string): tf.Variable {
  const v = store.trainable.get(name) ?? store.state.get(name);
  if (!v) throw new Error(`The model has no parameter '${name}'.`);
  return v;
}

/** Per-channel max over consumers of the consumer-group ℓ2 norm: conv HWIO axes [0,1,3], dense rows p·C + c. */
function consumerNorms(store: ParamStore, space: ChannelSpace): tf.Tensor1D {
  return tf.tidy(() => {
    const norms: tf.Tensor1D[] = space.consumerKernels.map((k) => tf.sqrt(tf.sum(tf.square(param(store, k)), [0, 1, 3])) as tf.Tensor1D);
    if (space.dense) {
      const w = param(store, space.dense.kernel);
      const rows = tf.reshape(w, [space.dense.spatial, space.size, w.shape[1]!]);
      norms.push(tf.sqrt(tf.sum(tf.square(rows), [0, 2])) as tf.Tensor1D);
    }
    if (norms.length === 0) return tf.fill([space.size], Infinity) as tf.Tensor1D;
    return tf.max(tf.stack(norms), 0) as tf.Tensor1D;
  });
}

interface Slice {
  axis: number;
  indices: number[];
}

/** Which axes of which variables each space's kept channels select. */
function slicePlan(spaces: readonly ChannelSpace[], kept: readonly number[][]): Map<string, Slice[]> {
  const plan = new Map<string, Slice[]>();
  const add = (name: string, s: Slice) => plan.set(name, [...(plan.get(name) ?? []), s]);
  spaces.forEach((space, i) => {
    const indices = kept[i]!;
    for (const k of space.producerKernels) add(k, { axis: 3, indices });
    for (const bn of space.bnPrefixes) for (const v of BN_VECTORS) add(`${bn}.${v}`, { axis: 0, indices });
    for (const k of space.consumerKernels) add(k, { axis: 2, indices });
    if (space.dense) {
      const rows: number[] = [];
      for (let p = 0; p < space.dense.spatial; p++) for (const c of indices) rows.push(p * space.size + c);
      add(space.dense.kernel, { axis: 0, indices: rows });
    }
  });
  return plan;
}

/** Copy every variable of `to` from `from`, gathered along the planned axes (HWIO / BN / dense rows). */
function copySliced(from: ParamStore, to: ParamStore, plan: Map<string, Slice[]>): void {
  for (const [name, target] of [...to.trainable, ...to.state]) {
    const source = param(from, name);
    const sliced = tf.tidy(() => {
      let t: tf.Tensor = tf.clone(source);
      for (const s of plan.get(name) ?? []) t = tf.gather(t, tf.tensor1d(s.indices, 'int32'), s.axis);
      return t;
    });
    const ok = sliced.shape.length === target.shape.length && sliced.shape.every((d, i) => d === target.shape[i]);
    if (!ok) {
      sliced.dispose();
      throw new Error(`Compaction produced shape [${sliced.shape.join(', ')}] for '${name}' but the plan needs [${target.shape.join(', ')}].`);
    }
    target.assign(sliced);
    sliced.dispose();
  }
}

/** Remove dead channels (rule above) from a masked VGG-16 / ResNet-18; returns a new, smaller classifier. */
export async function compactModel(model: Classifier, opts: CompactionOptions): Promise<CompactionResult> {
  const { threshold } = opts;
  const { spaces } = modelLayout(model.architecture);
  const kept: number[][] = [];
  const removed: SpaceRemoval[] = [];
  for (const space of spaces) {
    const t = consumerNorms(model.store, space);
    const norms = await t.data();
    t.dispose();
    const keep: number[] = [];
    const drop: number[] = [];
    norms.forEach((n, c) => (n > threshold ? keep : drop).push(c));
    if (keep.length === 0) keep.push(drop.shift()!);
    kept.push(keep);
    removed.push({ name: space.name, kind: space.kind, before: space.size, after: keep.length, removed: drop });
  }
  const compact = buildModel(
    withPlanSizes(
      model.architecture,
      kept.map((k) => k.length),
    ),
  );
  try {
    copySliced(model.store, compact.store, slicePlan(spaces, kept));
  } catch (e) {
    disposeParams(compact.store);
    throw e;
  }
  return { model: compact, removed };
}

/** Largest |a − b| over two same-shape tensors (e.g. masked vs compact logits [B, classes]). */
export async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`Cannot compare tensors of shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}].`);
  }
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const [v] = await d.data();
  d.dispose();
  return v ?? 0;
}
