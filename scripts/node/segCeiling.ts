/**
 * How much of each class a segmentation head can express at its output stride, whatever the network before it: for every
 * validation label map, free logits on the head's grid (1/stride of the input; the teacher predicts at 1/4, the students
 * at 1/8) are fitted directly to the labels by Adam on the cross-entropy of their align-corners bilinear upsampling (the
 * models' `resize`), then scored like a model (one confusion matrix over the set, per-class IoU). The fit is per image, so
 * it is an upper estimate of what a head at that stride can draw — not of what a network learns. Plain and
 * median-frequency-weighted CE both run (weighting trades big-class pixels for thin ones).
 *   node scripts/run-node.mjs scripts/node/segCeiling.ts size=low strides=4,8 testSize=100 iters=300
 * Prints one line per (stride, weighting) and appends JSON lines to `out=` when given.
 */
import { appendFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { CLASS_WEIGHT_CAP, confusionMatrix, generateStreetDataset, initBackend, medianFrequencyWeights, segScores } from '../../src/engine';
import { parseKeyValues } from './keyValues';

export async function main(args: string[]): Promise<void> {
  const kv = parseKeyValues(args, new Set(['size', 'strides', 'testSize', 'iters', 'lr', 'chunk', 'dataSeed', 'style', 'out', 'backend']), {
    size: ['low', 'high'],
    style: ['realistic', 'classic'],
    backend: ['wasm', 'cpu'],
  } as const);
  const size = kv.pick('size', 'low');
  const strides = (kv.get('strides') ?? '4,8').split(',').map(Number);
  const iters = kv.num('iters', 300);
  const lr = kv.num('lr', 0.3);
  const chunk = kv.num('chunk', 25);
  const style = kv.pick('style', 'realistic');
  const info = await initBackend(kv.pick('backend', 'wasm'));
  const data = await generateStreetDataset({ seed: kv.num('dataSeed', 1), size, style, trainSize: 0, testSize: kv.num('testSize', 100) });
  const { height: h, width: w, classNames } = data;
  const C = classNames.length;
  const n = data.test.count;
  const weights = medianFrequencyWeights(data.test.labels, h * w, C, { maxWeight: CLASS_WEIGHT_CAP });
  console.log(`${info.name}; ${n} ${style} validation scenes at ${h}×${w}; median-frequency weights ${[...weights].map((x) => x.toFixed(2)).join(' ')}`);
  for (const stride of strides)
    for (const weighted of [false, true]) {
      const t0 = performance.now();
      const cm = new Float64Array(C * C);
      let lastLoss = NaN;
      for (let start = 0; start < n; start += chunk) {
        const m = Math.min(chunk, n - start);
        const labels = data.test.labels.subarray(start * h * w, (start + m) * h * w);
        const valid = tf.tensor(
          Float32Array.from(labels, (l) => (l === 255 ? 0 : 1)),
          [m, h, w],
        );
        const onehot = tf.tidy(() =>
          tf.oneHot(
            tf.tensor(
              Int32Array.from(labels, (l) => (l === 255 ? 0 : l)),
              [m, h, w],
              'int32',
            ),
            C,
          ),
        );
        // Each pixel's weight: its class's weight (or 1), 0 where ignored; the loss is the weighted mean.
        const pixelW = tf.tidy(() => tf.mul(valid, weighted ? tf.sum(tf.mul(onehot, tf.tensor1d(weights)), -1) : 1));
        const norm = (await tf.sum(pixelW).data())[0]!;
        const z = tf.variable(tf.zeros([m, h / stride, w / stride, C]));
        const opt = tf.train.adam(lr);
        for (let i = 0; i < iters; i++) {
          const loss = opt.minimize(
            () =>
              tf.tidy(() => {
                const up = tf.image.resizeBilinear(z as tf.Tensor4D, [h, w], true);
                const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(up), onehot), -1));
                return tf.div(tf.sum(tf.mul(nll, pixelW)), norm) as tf.Scalar;
              }),
            true,
          );
          if (i === iters - 1) lastLoss = (await loss!.data())[0]!;
          loss!.dispose();
        }
        const pred = tf.tidy(() => tf.argMax(tf.image.resizeBilinear(z as tf.Tensor4D, [h, w], true), -1));
        confusionMatrix((await pred.data()) as Int32Array, labels, C, 255, cm);
        tf.dispose([valid, onehot, pixelW, z, pred]);
        opt.dispose();
      }
      const s = segScores(cm, C);
      const per = classNames.map((c, i) => `${c} ${s.perClassIoU[i] === null ? 'n/a' : (s.perClassIoU[i]! * 100).toFixed(1)}`).join(', ');
      const seconds = (performance.now() - t0) / 1000;
      console.log(
        `stride ${stride} (${h / stride}×${w / stride} logits), ${weighted ? 'median-freq. weighted' : 'plain'} CE: mIoU ${(s.mIoU * 100).toFixed(1)} %, pixel acc ${(s.pixelAccuracy * 100).toFixed(1)} % (IoU % ${per}); last loss ${lastLoss.toFixed(4)}, ${seconds.toFixed(0)} s`,
      );
      const out = kv.get('out');
      if (out)
        await appendFile(
          out,
          `${JSON.stringify({ size, style, stride, weighted, iters, lr, testSize: n, mIoU: s.mIoU, perClassIoU: s.perClassIoU, pixelAccuracy: s.pixelAccuracy, lastLoss, seconds, backend: info.name })}\n`,
        );
    }
}
