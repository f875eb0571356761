import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../protocol/models';
import { architectureLabel, importFilesProblem, metricText, provenanceText } from './modelDisplay';

const prov = (p: Partial<ModelInfo['provenance']> = {}): ModelInfo['provenance'] => ({ runId: 'train-abc', steps: 12, seed: 7, ...p });

describe('architectureLabel', () => {
  it('names the family and marks a compact (pruned) net', () => {
    expect(architectureLabel({ family: 'vgg16', provenance: prov() })).toBe('VGG-16');
    expect(architectureLabel({ family: 'resnet18', provenance: prov({ compact: true, method: 'rgsm' }) })).toBe('ResNet-18 compact');
    expect(architectureLabel({ family: 'resnet18', provenance: prov({ compact: false }) })).toBe('ResNet-18');
  });
  it("adds a Segment student's upsampling and keeps an unknown family as it is", () => {
    expect(architectureLabel({ family: 'seg-student', provenance: prov({ slot: 'student-pixelshuffle' }) })).toBe(
      'Seg student (FasterSeg-like) · pixelshuffle',
    );
    expect(architectureLabel({ family: 'seg-teacher', provenance: prov({ slot: 'teacher' }) })).toBe('Seg teacher (HRNet-like)');
    expect(architectureLabel({ family: 'mystery-net', provenance: prov() })).toBe('mystery-net');
  });
});

describe('metricText', () => {
  it('shows the fraction as a percent with its name', () => {
    expect(metricText({ metric: { name: 'test accuracy', value: 0.625 } })).toEqual({ value: '62.5%', name: 'test accuracy' });
    expect(metricText({ metric: { name: 'mIoU', value: 0.41234 } })).toEqual({ value: '41.2%', name: 'mIoU' });
  });
  it('shows a dash for a metric never measured', () => {
    expect(metricText({ metric: { name: 'mIoU', value: null } })).toEqual({ value: '—', name: 'mIoU' });
  });
});

describe('provenanceText', () => {
  it('names the run, its steps and seed, and a prune method', () => {
    expect(provenanceText({ provenance: prov({ method: 'rgsm' }) })).toBe('From run train-abc, 12 steps, seed 7, method rgsm.');
  });
  it('names the file an imported model came from and leaves out what is unknown', () => {
    expect(provenanceText({ provenance: { runId: null, steps: null, seed: null, importedFrom: 'net.json' } })).toBe('Imported from net.json.');
  });
});

describe('importFilesProblem', () => {
  it('accepts one .json and one .bin in any order and case', () => {
    expect(importFilesProblem(['m.json', 'm.bin'])).toBeNull();
    expect(importFilesProblem(['M.BIN', 'm.JSON'])).toBeNull();
  });
  it('refuses anything else with a sentence naming what was chosen', () => {
    expect(importFilesProblem(['m.json'])).toBe("Choose a model's two files together, its .json and its .bin (you chose m.json).");
    expect(importFilesProblem(['a.json', 'b.json'])).toMatch(/you chose a\.json, b\.json\)\.$/);
    expect(importFilesProblem(['m.json', 'm.bin', 'x.bin'])).not.toBeNull();
    expect(importFilesProblem([])).toMatch(/you chose no file\)\.$/);
  });
});
