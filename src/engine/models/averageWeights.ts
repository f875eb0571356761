/**
 * Weight averaging of checkpoints of one model (SWA, Izmailov et al. 2018, "Averaging Weights Leads to Wider Optima
 * and Better Generalization"; the same as checkpoint averaging in machine translation): every trainable parameter
 * becomes the plain mean of its values in the given stores, equal weights.
 *
 * BN running statistics (the store's state) are averaged too, as a starting point only: the statistics of averaged
 * weights are not the average of the statistics, so SWA re-estimates them with training-mode passes afterwards
 * (`recalibrateBnStatistics`, PyTorch's `torch.optim.swa_utils.update_bn`), which callers should do.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Set every variable of `target` (trainable and state) to the mean of the same-named variable over `sources`
 * (`target` may be one of them). All stores must hold exactly the same names and shapes — checkpoints of one
 * architecture; anything else is refused with the first difference named, before any variable changes.
 */
export function averageParamStores(target: ParamStore, sources: readonly ParamStore[]): void {
  if (sources.length === 0) throw new Error('averaging needs at least one model');
  const maps = (s: ParamStore) => [s.trainable, s.state] as const;
  for (const [k, source] of sources.entries()) {
    maps(target).forEach((tm, m) => {
      const sm = maps(source)[m]!;
      const kind = m === 0 ? 'trainable parameter' : 'state variable';
      for (const [name, v] of tm) {
        const w = sm.get(name);
        if (!w) throw new Error(`model ${k + 1} has no ${kind} ${name}: only checkpoints of one architecture can be averaged`);
        if (!sameShape(v.shape, w.shape))
          throw new Error(`${kind} ${name} is [${v.shape.join(', ')}] in the first model and [${w.shape.join(', ')}] in model ${k + 1}`);
      }
      for (const name of sm.keys())
        if (!tm.has(name)) throw new Error(`model ${k + 1} has a ${kind} ${name} the first model lacks: only checkpoints of one architecture can be averaged`);
    });
  }
  for (const m of [0, 1] as const) {
    for (const [name, v] of maps(target)[m]) {
      const mean = tf.tidy(() => tf.div(tf.addN(sources.map((s) => maps(s)[m].get(name)!)), sources.length));
      v.assign(mean);
      mean.dispose();
    }
  }
}
