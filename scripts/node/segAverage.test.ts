/**
 * scripts/node/segAverage.ts: checkpoint averaging of saved segmentation models (tiny students on the CPU backend).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSegArgs, readSegFile, runSegment } from './segment';
import { parseSegAverageArgs, runSegAverage } from './segAverage';
import { disposeParams } from '../../src/engine';

const quiet = () => undefined;

describe('segAverage.ts', () => {
  it('saves the weight-wise mean of the checkpoints (BN left averaged with bnBatches=0) with the last one’s provenance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seg-avg-'));
    try {
      const tiny = ['model=student', 'width=0.0625', 'batch=2', 'trainSize=8', 'testSize=4', 'size=low', 'style=classic', 'backend=cpu'];
      await runSegment(parseSegArgs([...tiny, 'steps=2', 'evalEvery=1', 'checkpoints=1', `out=${dir}/s.json`]), quiet);
      const files = [`${dir}/s-step1.json`, `${dir}/s.json`];
      const r = await runSegAverage(parseSegAverageArgs([`files=${files.join(',')}`, 'bnBatches=0', `out=${dir}/avg.json`]), quiet);
      expect(r.steps).toBe(2);
      const [a, b, avg] = await Promise.all([...files, `${dir}/avg.json`].map(readSegFile));
      for (const [name, v] of avg!.model.store.trainable) {
        const [va, vb, got] = [a!.model.store.trainable.get(name)!.dataSync(), b!.model.store.trainable.get(name)!.dataSync(), v.dataSync()];
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo((va[i]! + vb[i]!) / 2, 6);
      }
      expect(avg!.provenance).toMatchObject({ slot: 'student-bilinear', steps: 2, mIoU: r.mIoU });
      expect(avg!.provenance.origin).toMatch(/weights averaged over 2 checkpoints \(steps 1, 2\)/);
      expect(JSON.parse(readFileSync(`${dir}/avg.json`, 'utf8')).provenance.seed).toBe(1);
      for (const m of [a, b, avg]) disposeParams(m!.model.store);
      // BN re-estimation on training scenes changes the running statistics and keeps the weights
      const re = await runSegAverage(parseSegAverageArgs([`files=${files.join(',')}`, 'bnBatches=2', 'batch=2', `out=${dir}/avg-bn.json`]), quiet);
      expect(Number.isFinite(re.mIoU as number)).toBe(true);
      const [plain, bn] = await Promise.all([`${dir}/avg.json`, `${dir}/avg-bn.json`].map(readSegFile));
      const name = [...plain!.model.store.state.keys()].find((n) => n.endsWith('.runningMean'))!;
      expect(Array.from(bn!.model.store.state.get(name)!.dataSync())).not.toEqual(Array.from(plain!.model.store.state.get(name)!.dataSync()));
      const w = [...plain!.model.store.trainable.keys()][0]!;
      expect(Array.from(bn!.model.store.trainable.get(w)!.dataSync())).toEqual(Array.from(plain!.model.store.trainable.get(w)!.dataSync()));
      for (const m of [plain, bn]) disposeParams(m!.model.store);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses one file, and checkpoints of different slots', async () => {
    expect(() => parseSegAverageArgs(['files=a.json'])).toThrow(/at least two/);
    const dir = mkdtempSync(join(tmpdir(), 'seg-avg-'));
    try {
      const tiny = ['width=0.0625', 'batch=2', 'trainSize=8', 'testSize=4', 'size=low', 'style=classic', 'backend=cpu', 'steps=1'];
      await runSegment(parseSegArgs([...tiny, 'model=student', `out=${dir}/a.json`]), quiet);
      await runSegment(parseSegArgs([...tiny, 'model=student', 'upscale=ps-agg', `out=${dir}/b.json`]), quiet);
      await expect(runSegAverage(parseSegAverageArgs([`files=${dir}/a.json,${dir}/b.json`]), quiet)).rejects.toThrow(/average checkpoints of one run/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
