import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEG_FORMATS } from '../data/import/segFormats';
import { readLabelPng } from '../data/import/segImport';
import { cropPixels, layoutPriorConfusion, streetMapping, streetMappingRefusal, toStreetLabels } from './realSeg';
import { confusionMatrix, segScores } from './segMetrics';

const X = 255; // ignore
// Street ids: sky 0, building 1, road 2, sidewalk 3, vegetation 4, car 5, person 6, pole 7.

describe('streetMapping', () => {
  it('CamVid 11 → street classes, by hand (SignSymbol, Fence and void ignored)', () => {
    const t = streetMapping('camvid11');
    // Sky Building Pole Road Pavement Tree SignSymbol Fence Car Pedestrian Bicyclist
    expect(Array.from(t.subarray(0, 11))).toEqual([0, 1, 7, 2, 3, 4, X, X, 5, 6, 6]);
    expect(t[11]).toBe(X);
    expect(t[255]).toBe(X);
  });

  it('Cityscapes train ids → street classes, by hand (labelIds and trainIds read the same classes)', () => {
    // road sidewalk building wall fence pole light sign vegetation terrain sky person rider car truck bus train motorcycle bicycle
    const want = [2, 3, 1, 1, X, 7, X, X, 4, 4, 0, 6, 6, 5, 5, 5, 5, X, X];
    expect(Array.from(streetMapping('cityscapes-trainids').subarray(0, 19))).toEqual(want);
    expect(Array.from(streetMapping('cityscapes').subarray(0, 19))).toEqual(want);
  });

  it('CamVid 32 groups as SegNet 11 does', () => {
    const t = streetMapping('camvid32');
    const id = (name: string) => SEG_FORMATS.camvid32.classNames.indexOf(name);
    const of = (name: string) => t[id(name)];
    expect([of('LaneMkgsDriv'), of('Sidewalk'), of('RoadShoulder'), of('VegetationMisc'), of('Truck_Bus'), of('Child'), of('Column_Pole'), of('Wall')]).toEqual(
      [2, 3, 3, 4, 5, 6, 7, 1],
    );
    expect([of('SignSymbol'), of('Fence'), of('TrafficLight'), of('Animal'), of('Misc_Text')]).toEqual([X, X, X, X, X]);
    expect(SEG_FORMATS.camvid32.classNames.every((n) => id(n) >= 0)).toBe(true);
  });

  it('refuses VOC in one sentence that names the way out', () => {
    expect(streetMappingRefusal('camvid11')).toBeNull();
    expect(streetMappingRefusal('voc')).toMatch(/^Pascal VOC labels .* use CamVid or Cityscapes labels\.$/);
    expect(() => streetMapping('voc')).toThrow(/Pascal VOC/);
  });
});

describe('scoring mapped real labels', () => {
  it('gives the confusion matrix built by hand', () => {
    // 8 pixels of CamVid 11 ids: Sky, Tree, Pavement, Pedestrian, Bicyclist, Fence (ignored), void (ignored), Road.
    const real = Uint8Array.from([0, 5, 4, 9, 10, 7, X, 3]);
    const labels = toStreetLabels(real, streetMapping('camvid11'));
    expect(Array.from(labels)).toEqual([0, 4, 3, 6, 6, X, X, 2]);
    // Predictions: sky ✓, building (tree called building), road (sidewalk called road), person ✓, road, -, -, road ✓.
    const pred = Uint8Array.from([0, 1, 2, 6, 2, 5, 5, 2]);
    const cm = confusionMatrix(pred, labels, 8);
    const want = new Float64Array(64);
    want[0 * 8 + 0] = 1; // sky → sky
    want[4 * 8 + 1] = 1; // vegetation → building
    want[3 * 8 + 2] = 1; // sidewalk → road
    want[6 * 8 + 6] = 1; // person → person
    want[6 * 8 + 2] = 1; // person → road
    want[2 * 8 + 2] = 1; // road → road
    expect(Array.from(cm)).toEqual(Array.from(want));
    const s = segScores(cm, 8);
    // IoU: sky 1, building 0 (predicted once, never true), road 1/3, sidewalk 0, vegetation 0, person 1/2; car and pole absent.
    expect(s.perClassIoU).toEqual([1, 0, 1 / 3, 0, 0, null, 1 / 2, null]);
    expect(s.mIoU).toBeCloseTo((1 + 0 + 1 / 3 + 0 + 0 + 0.5) / 6, 12);
    expect(s.pixelAccuracy).toBe(3 / 6);
  });
});

describe('layoutPriorConfusion', () => {
  it('predicts each pixel by the other photos’ majority (leave-one-out), by hand', () => {
    // 3 photos of 3 pixels, 3 classes.
    const a = Uint8Array.from([0, 1, 2]);
    const b = Uint8Array.from([0, 1, 1]);
    const c = Uint8Array.from([1, X, 1]);
    const cm = layoutPriorConfusion([a, b, c], 3);
    // Pixel 0: a sees {b:0, c:1} → tie → 0 ✓; b sees {0, 1} → 0 ✓; c sees {0, 0} → 0 (true 1).
    // Pixel 1: a sees {1} → 1 ✓; b sees {1} → 1 ✓; c ignored.
    // Pixel 2: a sees {1, 1} → 1 (true 2); b sees {2, 1} → tie → 1 ✓; c sees {2, 1} → 1 ✓.
    const want = [
      [2, 0, 0],
      [1, 4, 0],
      [0, 1, 0],
    ].flat();
    expect(Array.from(cm)).toEqual(want);
  });

  it('is empty for fewer than two photos and refuses maps of different sizes', () => {
    expect(Array.from(layoutPriorConfusion([Uint8Array.from([0, 1])], 2))).toEqual([0, 0, 0, 0]);
    expect(() => layoutPriorConfusion([new Uint8Array(4), new Uint8Array(5)], 2)).toThrow(/differ in size/);
  });
});

describe('cropPixels', () => {
  it('cuts the rectangle out of an image of any channel count', () => {
    const img = Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => i); // 4 wide, 3 high, 2 channels
    const out = cropPixels(img, 4, 2, { x: 1, y: 1, width: 2, height: 2 });
    expect(Array.from(out)).toEqual([10, 11, 12, 13, 18, 19, 20, 21]);
  });
});

const REAL = fileURLToPath(new URL('../../../../shared/realdata/camvid', import.meta.url));
const haveReal = existsSync(join(REAL, 'labels'));
if (!haveReal) console.warn(`realSeg.test: ${REAL} is absent, so the real CamVid label test is skipped.`);

describe.skipIf(!haveReal)('real CamVid labels (../shared/realdata/camvid)', () => {
  it('map to street classes with every street class present and only void, SignSymbol and Fence ignored', () => {
    const files = readdirSync(join(REAL, 'labels')).filter((f) => f.endsWith('.png'));
    expect(files.length).toBe(20);
    const table = streetMapping('camvid11');
    const seen = new Set<number>();
    let ignored = 0;
    let expectIgnored = 0;
    let total = 0;
    for (const f of files) {
      const { ids, width, height } = readLabelPng(new Uint8Array(readFileSync(join(REAL, 'labels', f))), 'camvid11', f);
      expect([width, height]).toEqual([480, 360]);
      const street = toStreetLabels(ids, table);
      for (let p = 0; p < ids.length; p++) {
        if (street[p] === X) ignored++;
        else seen.add(street[p]!);
        if (ids[p] === X || ids[p] === 6 || ids[p] === 7) expectIgnored++;
      }
      total += ids.length;
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ignored).toBe(expectIgnored);
    expect(ignored / total).toBeLessThan(0.15);
  });
});
