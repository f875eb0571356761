/**
 * Which validation poles a segmentation model finds, by how visible they are (README, "A full-resolution stage for the
 * teacher"):
 *   node scripts/run-node.mjs scripts/node/segPoleContrast.ts files=public/models/segment/low/teacher.json[,b.json]
 * For each model: pole IoU, precision and recall on the realistic validation scenes (dataSeed=1, testSize=100 as the
 * shipped teacher's runs), and its pole recall binned by each pole pixel's local horizontal contrast (engine
 * metrics/contrastRecall.ts: mean |ΔRGB| against the pixels two to the left and right).
 */
import { confusionMatrix, contrastRecall, disposeParams, generateStreetDataset, initBackend, segImagesTensor, segScores } from '../../src/engine';
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
    const k = data.classNames.length;
    const cm = confusionMatrix(preds, data.test.labels, k);
    const tp = cm[pole * k + pole]!;
    const labelled = cm.subarray(pole * k, (pole + 1) * k).reduce((t, v) => t + v, 0);
    const predicted = Array.from({ length: k }, (_, t) => cm[t * k + pole]!).reduce((t, v) => t + v, 0);
    const pct = (a: number, b: number) => ((100 * a) / b).toFixed(1);
    const iou = segScores(cm, k).perClassIoU[pole] ?? 0;
    console.log(`${file}: pole IoU ${pct(iou, 1)} %, precision ${pct(tp, predicted)} %, recall ${pct(tp, labelled)} % (${labelled} pole pixels)`);
    const r = contrastRecall(data.test.images, data.test.labels, preds, W, pole);
    r.edges.forEach((e, i) => {
      const [h, mi] = [r.hits[i]!, r.misses[i]!];
      console.log(`  contrast ${e}–${r.edges[i + 1] ?? 255}: recall ${h + mi ? pct(h, h + mi) : '-'} % (${h} of ${h + mi})`);
    });
  }
}
