/**
 * Which validation poles a segmentation model finds, by how visible they are (README, "A full-resolution stage for the
 * teacher"):
 *   node scripts/run-node.mjs scripts/node/segPoleContrast.ts files=public/models/segment/low/teacher.json[,b.json]
 * For each model: pole IoU, precision and recall on the realistic validation scenes (dataSeed=1, testSize=100 as the
 * shipped teacher's runs), and its pole recall binned by each pole pixel's local horizontal contrast (engine
 * metrics/contrastRecall.ts: mean |ΔRGB| against the pixels two to the left and right).
 */
import { contrastRecall, disposeParams, generateStreetDataset, initBackend, segImagesTensor } from '../../src/engine';
import * as tf from '@tensorflow/tfjs-core';
import { parseKeyValues } from './keyValues';
import { readSegModel } from './segment';

export async function main(args: string[]): Promise<void> {
  const kv = parseKeyValues(args, new Set(['files', 'dataSeed', 'testSize', 'backend']), {} as const);
  const files = kv.get('files')?.split(',').filter(Boolean) ?? ['public/models/segment/low/teacher.json'];
  await initBackend((kv.get('backend') ?? 'wasm') as 'wasm');
  const data = await generateStreetDataset({ seed: kv.num('dataSeed', 1), size: 'low', trainSize: 8, testSize: kv.num('testSize', 100), style: 'realistic' });
  const { height: H, width: W } = data;
  const pole = data.classNames.indexOf('pole');
  for (const file of files) {
    const m = await readSegModel(file);
    const preds = new Uint8Array(data.test.count * H * W);
    for (let i = 0; i < data.test.count; i += 8) {
      const n = Math.min(8, data.test.count - i);
      const x = segImagesTensor(data.test.images.subarray(i * H * W * 3, (i + n) * H * W * 3), n, H, W);
      const am = tf.tidy(() => tf.argMax(m.forward(x, { training: false }).logits, 3));
      preds.set(await am.data(), i * H * W);
      tf.dispose([x, am]);
    }
    disposeParams(m.store);
    let tp = 0,
      fn = 0,
      fp = 0;
    for (let p = 0; p < preds.length; p++) {
      const l = data.test.labels[p]!;
      if (l === 255) continue;
      if (l === pole && preds[p] === pole) tp++;
      else if (l === pole) fn++;
      else if (preds[p] === pole) fp++;
    }
    const pct = (a: number, b: number) => ((100 * a) / b).toFixed(1);
    console.log(`${file}: pole IoU ${pct(tp, tp + fn + fp)} %, precision ${pct(tp, tp + fp)} %, recall ${pct(tp, tp + fn)} % (${tp + fn} pole pixels)`);
    const r = contrastRecall(data.test.images, data.test.labels, preds, W, pole);
    r.edges.forEach((e, i) => {
      const [h, mi] = [r.hits[i]!, r.misses[i]!];
      console.log(`  contrast ${e}–${r.edges[i + 1] ?? 255}: recall ${h + mi ? pct(h, h + mi) : '-'} % (${h} of ${h + mi})`);
    });
  }
}
