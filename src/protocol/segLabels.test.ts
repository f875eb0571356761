import { describe, expect, it } from 'vitest';
import { applyLabelTable, describeMapping, labelMapping, labelReadAs, type LabelClasses } from './segLabels';

const STREETS = ['sky', 'building', 'road', 'sidewalk', 'vegetation', 'car', 'person', 'pole'];
const CAMVID11 = ['Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist'];
/** CamVid 11 → street by name, written out by hand (realSeg.ts's table for camvid11). */
const CAMVID11_TO_STREET = (() => {
  const t = new Uint8Array(256).fill(255);
  [0, 1, 7, 2, 3, 4, 255, 255, 5, 6, 6].forEach((street, id) => (t[id] = street));
  return t;
})();
const VOC = ['background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow'];

const camvid = (how: LabelClasses['how']): LabelClasses => ({
  format: 'camvid11',
  how,
  classNames: CAMVID11,
  street: { classNames: STREETS, table: CAMVID11_TO_STREET, refusal: null },
});
const streetModels = { classNames: STREETS, name: 'Street scenes' };

describe('labelMapping: a label PNG against the models shown', () => {
  it('maps CamVid 11 onto the street models by name, and says which classes went where and which are ignored', () => {
    const m = labelMapping(camvid('detected'), 'a_L.png', streetModels);
    expect(m.scored).toBe(true);
    expect(m.table).toBe(CAMVID11_TO_STREET);
    expect(m.text).toBe(
      'a_L.png: read as CamVid 11-class (auto-detected), mapped onto the street classes by name: Pavement → sidewalk; Tree → vegetation; ' +
        'Pedestrian, Bicyclist → person; Sky, Building, Road, Car and Pole as they are; ignored (not scored): SignSymbol, Fence and unlabelled pixels.',
    );
    // Ids 0–10 (and void, already 255): Sky Building Pole Road Pavement Tree SignSymbol Fence Car Pedestrian Bicyclist.
    expect([...applyLabelTable(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]), m.table)]).toEqual([0, 1, 7, 2, 3, 4, 255, 255, 5, 6, 6, 255]);
  });

  it("uses the ids as they are when the models were trained on the format's own classes", () => {
    const m = labelMapping(camvid('dataset'), 'b.png', { classNames: CAMVID11, name: 'camvid-cls' });
    expect(m).toEqual({
      scored: true,
      table: null,
      text: "b.png: read as CamVid 11-class (the dataset's own format), the models' own classes: ids used as they are.",
    });
    const ids = Uint8Array.from([3, 10, 255]);
    expect(applyLabelTable(ids, m.table)).toBe(ids);
  });

  it('refuses VOC against street models with the engine’s sentence, and scores nothing', () => {
    const refusal = 'Pascal VOC labels have no street class but person, so they cannot score street models: use CamVid or Cityscapes labels.';
    const voc: LabelClasses = { format: 'voc', how: 'chosen', classNames: VOC, street: { classNames: STREETS, table: null, refusal } };
    expect(labelMapping(voc, 'c.png', streetModels)).toEqual({ scored: false, table: null, text: `c.png: read as Pascal VOC (as chosen). ${refusal}` });
  });

  it('scores nothing against models of another class set, and says so', () => {
    const cityscapes19 = Array.from({ length: 19 }, (_, i) => `c${i}`);
    const m = labelMapping(camvid('detected'), 'd.png', { classNames: cityscapes19, name: 'my-cityscapes' });
    expect(m.scored).toBe(false);
    expect(m.text).toBe(
      'd.png: read as CamVid 11-class (auto-detected), whose 11 classes are not the 19 classes of the models shown (my-cityscapes), and it maps only onto the 8 street classes: not scored.',
    );
  });

  it("reads the models' own ids / colours as they are, and only against the class set they were read with", () => {
    const own: LabelClasses = { format: 'own', how: 'own', classNames: STREETS, street: null };
    expect(labelMapping(own, 'e.png', streetModels)).toEqual({ scored: true, table: null, text: "e.png: read as the models' class ids / legend colours." });
    expect(labelMapping(own, 'street scene 1 labels', { classNames: CAMVID11, name: 'camvid-cls' })).toEqual({
      scored: false,
      table: null,
      text: "street scene 1 labels: ids of other models' 8 classes (sky, building, road, …), not the 11 classes of the models shown (camvid-cls): not scored.",
    });
    expect(labelReadAs(own)).toBe('class ids / legend colours of the models');
  });
});

describe('describeMapping', () => {
  it('groups renamed classes by target, lists same-name ones once, and always names unlabelled pixels as ignored', () => {
    const table = Uint8Array.from([1, 1, 0, 255]);
    expect(describeMapping(['Wall', 'building', 'SKY', 'Sign'], table, ['sky', 'building'])).toBe(
      'Wall → building; SKY and building as they are; ignored (not scored): Sign and unlabelled pixels',
    );
    expect(describeMapping(['Road'], Uint8Array.from([0]), ['road'])).toBe('Road as it is; ignored (not scored): unlabelled pixels');
  });
});
