import { describe, expect, it } from 'vitest';
import { detectDatasetDisplayName, isBuiltinPeople, PEOPLE_ID, PEOPLE_NAMES, PEOPLE_REALISTIC_ID } from './detect';

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
