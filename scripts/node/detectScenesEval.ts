/**
 * Score saved detectors on the built-in validation scenes of either style, with the lab's AP code (evaluateDetector):
 *   node scripts/run-node.mjs scripts/node/detectScenesEval.ts files=public/models/detect/transformer.json,public/models/detect/conv.json \
 *     style=realistic testSize=200 [out=results/x.jsonl]
 * The cross-domain check of issue #12 item 8: detectors trained on the classic scenes, scored on the realistic ones (and the
 * other way round), on the same validation split the lab evaluates (data seed 1, split 1). Prints one line per file.
 */
import { appendFile } from 'node:fs/promises';
import { evaluateDetector, generateDetectDataset, STREET_STYLES } from '../../src/engine';
import { bandLine, readDetectorFile } from './detect';
import { parseKeyValues } from './keyValues';
import { startBackend } from './scriptIO';

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : (v * 100).toFixed(1));

export async function main(args: string[]): Promise<void> {
  const kv = parseKeyValues(args, new Set(['files', 'style', 'testSize', 'dataSeed', 'backend', 'out']), { style: STREET_STYLES });
  const files = (kv.get('files') ?? 'public/models/detect/transformer.json,public/models/detect/conv.json').split(',').filter(Boolean);
  const style = kv.pick('style', 'realistic');
  const testSize = Math.round(kv.num('testSize', 200));
  await startBackend(kv.get('backend') ?? 'wasm');
  const data = await generateDetectDataset({ seed: Math.round(kv.num('dataSeed', 1)), trainSize: 0, testSize, style });
  const boxes = data.test.boxes.flat().filter((b) => !b.ignore).length;
  console.log(`${testSize} ${style} validation scenes, ${boxes} people boxed (the smaller ones are ignore regions)`);
  for (const file of files) {
    const { model, json } = await readDetectorFile(file);
    const t0 = performance.now();
    const r = await evaluateDetector(model, data.test, 0.5, 8);
    const seconds = (performance.now() - t0) / 1000;
    const trainedOn = String(json.provenance.dataset ?? '?');
    console.log(
      `${file} (trained on ${trainedOn}): AP@0.5 ${pct(r.ap50)}  AP ${pct(r.ap)}  recall@20 ${pct(r.recall20)}  best F1 ${pct(r.bestF1?.f1)} at ${r.bestF1?.threshold.toFixed(2) ?? '–'}  (${seconds.toFixed(0)} s)`,
    );
    console.log(`  by height (share of the frame): ${bandLine(r.byHeight)}`);
    const out = kv.get('out');
    if (out)
      await appendFile(
        out,
        `${JSON.stringify({ file, trainedOn, style, testSize, ap50: r.ap50, ap: r.ap, recall20: r.recall20, bestF1: r.bestF1?.f1 ?? null, threshold: r.bestF1?.threshold ?? null, byHeight: r.byHeight })}\n`,
      );
  }
}
