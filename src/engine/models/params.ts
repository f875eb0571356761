/** Named, seeded model parameters: trainable variables plus non-trainable state (BN running stats). */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32, normal, type Rng } from '../random';

export interface ParamStore {
  /** Trainable variables in creation order, keyed by a dotted name (e.g. `conv3.kernel`). */
  readonly trainable: Map<string, tf.Variable>;
  /** Non-trainable state (BN running mean/variance). */
  readonly state: Map<string, tf.Variable>;
  readonly rng: Rng;
}

/** A fresh store whose initialisers draw from one seeded stream (identical on every backend). */
export function createParamStore(seed: number): ParamStore {
  return { trainable: new Map(), state: new Map(), rng: mulberry32(seed) };
}

function addVar(map: Map<string, tf.Variable>, name: string, values: Float32Array, shape: number[], trainable: boolean): tf.Variable {
  if (map.has(name)) throw new Error(`duplicate parameter name ${name}`);
  const init = tf.tensor(values, shape, 'float32');
  const v = tf.variable(init, trainable, `${name}_${uid++}`);
  init.dispose(); // the variable holds its own reference to the data
  map.set(name, v);
  return v;
}
let uid = 0;

/** He-normal init, std = sqrt(2 / fanIn); kernel layout HWIO or [in, out]. */
export function heNormal(store: ParamStore, name: string, shape: number[], fanIn: number): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < n; i++) values[i] = normal(store.rng) * std;
  return addVar(store.trainable, name, values, shape, true);
}

/** Uniform(−limit, limit) init. */
export function uniformInit(store: ParamStore, name: string, shape: number[], limit: number): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = (2 * store.rng() - 1) * limit;
  return addVar(store.trainable, name, values, shape, true);
}

/** A constant-filled variable, trainable or state. */
export function constant(store: ParamStore, name: string, shape: number[], value: number, trainable = true): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  return addVar(trainable ? store.trainable : store.state, name, new Float32Array(n).fill(value), shape, trainable);
}

/** Number of scalar trainable parameters. */
export function countParams(store: ParamStore): number {
  let n = 0;
  for (const v of store.trainable.values()) n += v.size;
  return n;
}

/** Dispose every variable of the store. */
export function disposeParams(store: ParamStore): void {
  for (const v of store.trainable.values()) v.dispose();
  for (const v of store.state.values()) v.dispose();
  store.trainable.clear();
  store.state.clear();
}
