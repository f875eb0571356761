import { describe, expect, it } from 'vitest';
import {
  DETECT_LAB,
  detectDatasetDisplayName,
  isBuiltinPeople,
  PEOPLE_ID,
  PEOPLE_NAMES,
  PEOPLE_REALISTIC_ID,
  zooEntryDifferences,
  type DetectZooEntry,
} from './detect';

describe('the built-in detection sets by name', () => {
  it("reads the engine's set names as the menu's names and leaves any other name as it is", () => {
    expect(detectDatasetDisplayName('streets-people')).toBe(PEOPLE_NAMES[PEOPLE_ID]);
    expect(detectDatasetDisplayName('streets-people-realistic')).toBe(PEOPLE_NAMES[PEOPLE_REALISTIC_ID]);
    expect(detectDatasetDisplayName('coco persons (val2017)')).toBe('coco persons (val2017)');
    // An inherited property name is a dataset name like any other, not a lookup hit.
    expect(detectDatasetDisplayName('toString')).toBe('toString');
  });
  it('tells the built-in ids from imported ones', () => {
    expect([PEOPLE_ID, PEOPLE_REALISTIC_ID, 'imported-123'].map(isBuiltinPeople)).toEqual([true, true, false]);
  });
});

describe("the form's early check of a fine-tune against the pane's detector", () => {
  const defaults = DETECT_LAB.defaults();
  const conv: DetectZooEntry = {
    slot: 'conv',
    encoder: 'conv',
    encoderLayers: defaults.encoderLayers,
    width: defaults.width,
    d: defaults.d,
    queries: defaults.queries,
    params: 1,
    macs: 1,
    parts: [],
    inputHeight: 128,
    inputWidth: 256,
    steps: 1,
    seed: 1,
    ap50: null,
    ap: null,
    scoreThreshold: null,
    f1: null,
    dataset: 'streets-people',
    origin: 'shipped',
  };
  it('finds nothing when the form is built as the detector is', () => {
    expect(zooEntryDifferences(conv, { ...defaults, encoder: 'conv' })).toEqual([]);
  });
  it('names each differing setting with both values (the dwconv form against the conv pane among them)', () => {
    expect(zooEntryDifferences(conv, { ...defaults, encoder: 'dwconv' })).toEqual(['encoder dwconv here, conv in the detector']);
    expect(zooEntryDifferences(conv, { ...defaults, encoder: 'conv', width: 0.25, d: 32, encoderLayers: 3, queries: 10 })).toEqual([
      'backbone width 0.25 here, 0.5 in the detector',
      'd 32 here, 64 in the detector',
      'encoder layers 3 here, 2 in the detector',
      'queries 10 here, 20 in the detector',
    ]);
  });
});
