/**
 * The viewer's suggested score threshold for each detector of a zoo folder: the threshold with the best F1 at IoU 0.5 on the
 * built-in validation scenes (the split the pretrain script evaluates on: data seed 1, the first `testSize` test scenes; never
 * real photos), written into each detector's JSON provenance (`scoreThreshold`, `f1`) and its manifest entry. New runs of
 * `npm run pretrain:detect` write it themselves; this script brings detectors trained before that up to date:
 *   node scripts/run-node.mjs scripts/node/detectCalibrate.ts [models=public/models/detect] [slots=transformer,conv] [testSize=200]
 * Prints, per detector, its validation AP@0.5 (to check against the manifest), the best F1 with its precision, recall and
 * threshold, and the boxes per image shown at that threshold and at 0.5.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { disposeParams, evaluateDetector, generateDetectDataset } from '../../src/engine';
import { readDetectorFile } from './detect';
import { parseKeyValues } from './keyValues';
import { startBackend } from './scriptIO';

const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)} %`);

export async function main(args: string[]): Promise<void> {
  const kv = parseKeyValues(args, new Set(['models', 'slots', 'testSize', 'dataSeed', 'backend']), {});
  const dir = kv.get('models') ?? 'public/models/detect';
  const testSize = Math.round(kv.num('testSize', 200));
  const dataSeed = Math.round(kv.num('dataSeed', 1));
  await startBackend(kv.get('backend') ?? 'wasm');
  const data = await generateDetectDataset({ seed: dataSeed, trainSize: 0, testSize });
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = existsSync(manifestFile) ? (JSON.parse(await readFile(manifestFile, 'utf8')) as { models?: Record<string, unknown>[] }) : null;
  for (const slot of (kv.get('slots') ?? 'transformer,conv').split(',').filter(Boolean)) {
    const file = path.join(dir, `${slot}.json`);
    if (!existsSync(file)) {
      console.log(`${slot}: ${file} not found`);
      continue;
    }
    const { json, model } = await readDetectorFile(file);
    try {
      const at05 = await evaluateDetector(model, data.test, 0.5);
      const f = at05.bestF1;
      console.log(
        `${slot}: AP@0.5 ${pct(at05.ap50)} (manifest ${pct((json.provenance.ap50 as number | null) ?? null)}); ` +
          (f
            ? `best F1 ${pct(f.f1)} at score > ${f.threshold.toFixed(3)} (precision ${pct(f.precision)}, recall ${pct(f.recall)}, ${f.tp} TP / ${f.fp} FP of ${f.positives} people); `
            : 'no true positive at any threshold; ') +
          `boxes per image ${f ? (f.shown / data.test.count).toFixed(2) : '–'} at it, ${at05.meanAboveThreshold.toFixed(2)} above 0.5 (${testSize} validation scenes)`,
      );
      json.provenance.scoreThreshold = f?.threshold ?? null;
      json.provenance.f1 = f?.f1 ?? null;
      await writeFile(file, JSON.stringify(json));
      const entry = manifest?.models?.find((m) => m.slot === slot);
      if (entry) {
        entry.scoreThreshold = f?.threshold ?? null;
        entry.f1 = f?.f1 ?? null;
      }
    } finally {
      disposeParams(model.store);
    }
  }
  if (manifest) await writeFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
}
