/**
 * SGD with momentum (PyTorch convention), optional Nesterov, and weight decay added to the gradient:
 *   g' = g + wd·w;  v ← μ·v + g';  w ← w − lr·(Nesterov ? g' + μ·v : v)
 */
import * as tf from '@tensorflow/tfjs-core';

export interface SgdSettings {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

export class Sgd {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(
    private readonly vars: ReadonlyMap<string, tf.Variable>,
    public settings: SgdSettings,
  ) {}

  /** Apply one update from gradients keyed by the same names as the variables. */
  step(grads: Record<string, tf.Tensor>): void {
    const { lr, momentum, weightDecay, nesterov } = this.settings;
    for (const [name, w] of this.vars) {
      const g = grads[name];
      if (!g) continue;
      tf.tidy(() => {
        const gd = weightDecay !== 0 ? tf.add(g, tf.mul(w, weightDecay)) : g;
        let update: tf.Tensor = gd;
        if (momentum !== 0) {
          let v = this.velocity.get(name);
          if (!v) {
            v = tf.variable(tf.zerosLike(w), false); // inside tidy: the zeros tensor is freed
            this.velocity.set(name, v);
          }
          const vNew = tf.add(tf.mul(v, momentum), gd);
          v.assign(vNew);
          update = nesterov ? tf.add(gd, tf.mul(vNew, momentum)) : vNew;
        }
        w.assign(tf.sub(w, tf.mul(update, lr)));
      });
    }
  }

  /** Free the momentum buffers. */
  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
