/** One float32 weights file for a ParamStore: trainable variables then BN running statistics, in manifest order (HWIO kernels). */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Read every variable of a store back (`await data()`) into one little-endian float32 buffer with its manifest. */
export async function packWeights(store: ParamStore): Promise<{ weights: WeightSpec[]; data: ArrayBuffer }> {
  const vars = [...store.trainable, ...store.state];
  const weights: WeightSpec[] = vars.map(([name, v]) => ({ name, shape: [...v.shape], dtype: 'float32' }));
  const data = new Float32Array(vars.reduce((n, [, v]) => n + v.size, 0));
  let offset = 0;
  for (const [, v] of vars) {
    data.set((await v.data()) as Float32Array, offset);
    offset += v.size;
  }
  return { weights, data: data.buffer };
}

/** Check a manifest against a store (every name once, shapes equal, byte count) and assign the values; throws one clear sentence. */
export function unpackWeights(store: ParamStore, specs: readonly WeightSpec[], weightData: ArrayBuffer, what: string): void {
  const bytes = specs.reduce((n, s) => n + 4 * size(s.shape), 0);
  if (weightData.byteLength !== bytes) throw new Error(`The weight file has ${weightData.byteLength} bytes but the manifest describes ${bytes}.`);
  const byName = new Map<string, WeightSpec>();
  for (const s of specs) {
    if (byName.has(s.name)) throw new Error(`The weights manifest lists '${s.name}' twice.`);
    byName.set(s.name, s);
  }
  const targets = new Map([...store.trainable, ...store.state]);
  for (const [name, v] of targets) {
    const s = byName.get(name);
    if (!s) throw new Error(`The weights manifest lacks '${name}', which this ${what} architecture needs.`);
    if (!same(s.shape, v.shape)) throw new Error(`Weight '${name}' has shape [${s.shape.join(', ')}] but the architecture needs [${v.shape.join(', ')}].`);
  }
  const extra = specs.find((s) => !targets.has(s.name));
  if (extra) throw new Error(`The weights manifest lists '${extra.name}', which this ${what} architecture does not have.`);
  let offset = 0;
  for (const s of specs) {
    const n = size(s.shape);
    const t = tf.tensor(new Float32Array(weightData, offset * 4, n).slice(), s.shape, 'float32');
    targets.get(s.name)!.assign(t);
    t.dispose();
    offset += n;
  }
}
