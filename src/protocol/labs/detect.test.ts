import { describe, expect, it } from 'vitest';
import {
  DETECT_LAB,
  detectDatasetDisplayName,
  isBuiltinPeople,
  PEOPLE_ID,
  PEOPLE_NAMES,
  PEOPLE_REALISTIC_ID,
  architectureDifferences,
  summaryOfConfig,
  type DetectArchitectureSummary,
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

describe("a fine-tune's architecture check (the worker refuses on it, the form warns with it)", () => {
  const defaults = DETECT_LAB.defaults();
  const shippedConv: DetectArchitectureSummary = { ...summaryOfConfig(defaults), encoder: 'conv' };
  it('finds nothing when the form is built as the detector is', () => {
    expect(architectureDifferences(shippedConv, summaryOfConfig({ ...defaults, encoder: 'conv' }))).toEqual([]);
  });
  it('names each differing setting with both values (the dwconv form against the conv pane among them)', () => {
    expect(architectureDifferences(shippedConv, summaryOfConfig({ ...defaults, encoder: 'dwconv' }))).toEqual([
      'encoder dwconv in the form, conv in the detector',
    ]);
    const form = summaryOfConfig({ ...defaults, encoder: 'conv', width: 0.25, d: 32, encoderLayers: 3, decoderLayers: 1, heads: 2, ffnRatio: 2, queries: 10 });
    expect(architectureDifferences(shippedConv, form)).toEqual([
      'backbone width 0.25 in the form, 0.5 in the detector',
      'd 32 in the form, 64 in the detector',
      'encoder layers 3 in the form, 2 in the detector',
      'decoder layers 1 in the form, 2 in the detector',
      'heads 2 in the form, 4 in the detector',
      'FFN width 64 in the form, 256 in the detector',
      'queries 10 in the form, 20 in the detector',
    ]);
  });
  it("compares the encoder's heads and FFN width only for a transformer encoder, and its layers for any encoder", () => {
    const held: DetectArchitectureSummary = { ...summaryOfConfig(defaults), encoderHeads: 2, encoderFfn: 128, encoderLayers: 3 };
    expect(architectureDifferences(held, summaryOfConfig(defaults))).toEqual([
      'encoder layers 2 in the form, 3 in the detector',
      'encoder heads 4 in the form, 2 in the detector',
      'encoder FFN width 256 in the form, 128 in the detector',
    ]);
    expect(architectureDifferences({ ...held, encoder: 'none' }, summaryOfConfig({ ...defaults, encoder: 'none' }))).toEqual([]);
  });
});
