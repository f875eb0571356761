/**
 * scripts/node/segment.ts's `init=` (training on from saved weights, as `npm run pretrain:segment`'s second teacher phase
 * does): the saved model's provenance counts the steps and seconds its init had already had.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSegArgs, runSegment } from '../../../scripts/node/segment';

const provenanceOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { provenance: { steps: number; seconds: number } }).provenance;

describe('segment.ts init=', () => {
  it('counts the init model’s steps and seconds in the saved provenance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seg-init-'));
    try {
      const tiny = ['model=student', 'width=0.0625', 'batch=2', 'trainSize=16', 'testSize=4', 'size=low', 'style=classic', 'backend=cpu'];
      const quiet = () => undefined;
      await runSegment(parseSegArgs([...tiny, 'steps=2', `out=${dir}/a.json`]), quiet);
      const a = provenanceOf(`${dir}/a.json`);
      expect(a.steps).toBe(2);
      const r = await runSegment(parseSegArgs([...tiny, 'steps=1', 'lr=0.01', `init=${dir}/a.json`, `out=${dir}/b.json`]), quiet);
      const b = provenanceOf(`${dir}/b.json`);
      expect(b.steps).toBe(3);
      expect(b.seconds).toBeCloseTo(a.seconds + (r.seconds as number), 6);
      expect(r.steps).toBe(1); // the RESULT line counts this run's steps only
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
