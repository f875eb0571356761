/**
 * Relaxed group-wise splitting method, RGSM (Yang, Lyu, Zhang, Qi, Xin 2019), TECHNIQUES.md §1:
 * conv kernels w (HWIO) are coupled to an exactly group-sparse copy u = prox(w).
 */
import * as tf from '@tensorflow/tfjs-core';
import { minimize } from '../optim/minimize';
import type { Sgd } from '../optim/sgd';
import { groupPenalty, type Grouping } from './groupNorms';
import type { ProxFn } from './prox';

/** The auxiliary u per conv kernel (HWIO), non-trainable variables the same shape as w. */
export class RgsmState {
  readonly u = new Map<string, tf.Variable>();

  /** `kernels`: the conv kernels w (HWIO) by parameter name; u starts as a copy of w until reinit. */
  constructor(readonly kernels: ReadonlyMap<string, tf.Variable>) {
    for (const [name, w] of kernels) this.u.set(name, tf.variable(w, false));
  }

  /** u ← prox(w) for every kernel: at start and at every epoch start (§1). */
  reinit(prox: ProxFn): void {
    this.updateU(prox);
  }

  /** Step 4 of §1: u ← prox(w), from the current (updated) w; the prox gets each kernel's name (per-layer thresholds). */
  updateU(prox: ProxFn): void {
    for (const [name, w] of this.kernels) {
      const u = this.u.get(name)!;
      tf.tidy(() => {
        u.assign(prox(w, name));
      });
    }
  }

  /** Step 2 of §1, directly on the weights (no momentum, no weight decay): w ← w − lr·β·(w − u). */
  couple(lr: number, beta: number): void {
    const c = lr * beta;
    if (c === 0) return;
    for (const [name, w] of this.kernels) {
      const u = this.u.get(name)!;
      tf.tidy(() => {
        w.assign(tf.sub(w, tf.mul(tf.sub(w, u), c)));
      });
    }
  }

  /** Run `fn` with u swapped into the conv kernels (evaluation on u), then restore w exactly, even if fn throws. */
  async withU<T>(fn: () => Promise<T>): Promise<T> {
    const saved = new Map<string, tf.Tensor>();
    for (const [name, w] of this.kernels) {
      saved.set(name, tf.clone(w)); // shares w's data: an exact copy, no device copy
      w.assign(this.u.get(name)!);
    }
    try {
      return await fn();
    } finally {
      for (const [name, w] of this.kernels) {
        const s = saved.get(name)!;
        w.assign(s);
        s.dispose();
      }
    }
  }

  /** Free the u variables. */
  dispose(): void {
    for (const u of this.u.values()) u.dispose();
    this.u.clear();
  }
}

export interface RgsmStepOptions {
  state: RgsmState;
  sgd: Sgd;
  /** Every trainable variable by name (the keys the optimizer uses). */
  trainable: ReadonlyMap<string, tf.Variable>;
  /** Data loss (e.g. CE); called inside the gradient tape. */
  loss: () => tf.Scalar;
  lr: number;
  lambda2: number;
  beta: number;
  grouping: Grouping;
  prox: ProxFn;
}

/**
 * One RGSM step in the order of §1: (1) grads of loss + λ2·Σ_g sqrt(‖w_g‖²+1e-8) at the current w;
 * (2) w ← w − lr·β·(w − u); (3) optimizer step with the grads of (1); (4) u ← prox(w).
 * Sets `sgd.settings.lr` to `lr`. Returns the objective of (1) (the caller disposes it).
 */
export function rgsmStep(o: RgsmStepOptions): tf.Scalar {
  const value = minimize(
    () => {
      const data = o.loss();
      return o.lambda2 === 0 ? data : tf.add(data, groupPenalty(o.state.kernels.values(), o.grouping, o.lambda2));
    },
    o.trainable,
    (grads) => {
      o.state.couple(o.lr, o.beta);
      o.sgd.settings = { ...o.sgd.settings, lr: o.lr };
      o.sgd.step(grads);
    },
  );
  o.state.updateU(o.prox);
  return value;
}
