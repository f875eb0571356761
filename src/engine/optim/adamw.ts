/**
 * AdamW (Loshchilov & Hutter 2019) with decoupled weight decay, as PyTorch's torch.optim.AdamW (amsgrad off). Per variable and
 * per step t (its own count, as PyTorch's state['step'], advanced only when it gets a gradient), with lr' = lr·lrMultiplier:
 *   w ← w·(1 − lr'·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − lr'·m̂/(√v̂ + ε),  m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamWSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2). */
export const DEFAULT_ADAMW: AdamWSettings = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 };

/** A variable's parameter group: lrMultiplier scales lr for it (DETR's backbone: 0.1), decay false opts it out of weight decay. */
export interface AdamWParamOptions {
  lrMultiplier?: number;
  decay?: boolean;
}

interface Moments {
  m: tf.Variable;
  v: tf.Variable;
  step: number;
}

export class AdamW {
  private readonly state = new Map<string, Moments>();

  constructor(
    private readonly vars: ReadonlyMap<string, tf.Variable>,
    public settings: AdamWSettings,
    /** Per-variable options keyed by the variables' names; a variable without an entry gets lr × 1 and weight decay. */
    private readonly paramOptions: ReadonlyMap<string, AdamWParamOptions> = new Map(),
  ) {}

  /** Apply one update from gradients keyed by the same names as the variables (a variable without a gradient is left alone). */
  step(grads: Record<string, tf.Tensor>): void {
    const { lr, beta1, beta2, eps, weightDecay } = this.settings;
    for (const [name, w] of this.vars) {
      const g = grads[name];
      if (!g) continue;
      const opts = this.paramOptions.get(name);
      const lrEff = lr * (opts?.lrMultiplier ?? 1);
      const wd = opts?.decay === false ? 0 : weightDecay;
      tf.tidy(() => {
        let s = this.state.get(name);
        if (!s) {
          s = { m: tf.variable(tf.zerosLike(w), false), v: tf.variable(tf.zerosLike(w), false), step: 0 }; // inside tidy: the zeros are freed
          this.state.set(name, s);
        }
        s.step += 1;
        const decayed = wd !== 0 ? tf.mul(w, 1 - lrEff * wd) : w;
        const m = tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        s.m.assign(m);
        s.v.assign(v);
        const bc1 = 1 - Math.pow(beta1, s.step);
        const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, s.step));
        // PyTorch's arrangement: denom = √v/√(1−β2^t) + ε; w −= (lr/(1−β1^t))·m/denom.
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        w.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lrEff / bc1)));
      });
    }
  }

  /** Free the moment buffers (the step counts restart with them). */
  dispose(): void {
    for (const s of this.state.values()) tf.dispose([s.m, s.v]);
    this.state.clear();
  }
}
