import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../protocol/models';
import { architectureLabel, importFilesProblem, metricText, modelActions, modelOfRun, provenanceText, zooPlacement } from './modelDisplay';

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
  it('accepts one .onnx file alone', () => {
    expect(importFilesProblem(['student.onnx'])).toBeNull();
    expect(importFilesProblem(['student.onnx', 'm.bin'])).not.toBeNull();
  });
  it('refuses anything else with a sentence naming what was chosen', () => {
    expect(importFilesProblem(['m.json'])).toBe(
      "Choose a model's two files together, its .json and its .bin, or one .onnx file the workbench wrote (you chose m.json).",
    );
    expect(importFilesProblem(['a.json', 'b.json'])).toMatch(/you chose a\.json, b\.json\)\.$/);
    expect(importFilesProblem(['m.json', 'm.bin', 'x.bin'])).not.toBeNull();
    expect(importFilesProblem([])).toMatch(/you chose no file\)\.$/);
  });
});

describe('library row actions and the runs tables’ model link', () => {
  const info = (over: Partial<ModelInfo>): ModelInfo => ({
    id: 'm-a',
    lab: 'train',
    family: 'vgg16',
    name: 'a',
    params: 1,
    macs: 1,
    metric: { name: 'test accuracy', value: 0.5 },
    dataset: 'shapes',
    datasetName: 'Shapes',
    classNames: ['x'],
    inputSize: { height: 32, width: 32 },
    normalization: null,
    provenance: prov(),
    createdAt: 1,
    bytes: 1,
    ...over,
  });
  it('offers "use in the zoo" and "open in viewer" for a Segment model that fits a slot at a size, "use as teacher" for an Affinity teacher, "open in Prune" for a classifier', () => {
    const seg = info({ lab: 'segment', family: 'seg-student', inputSize: { height: 128, width: 256 }, provenance: prov({ slot: 'student-pixelshuffle' }) });
    expect(zooPlacement(seg)).toEqual({ size: 'high', slot: 'student-pixelshuffle' });
    expect(modelActions(seg)).toEqual({ use: 'zoo', view: true, prune: false });
    const odd = { ...seg, inputSize: { height: 100, width: 100 } };
    expect(zooPlacement(odd)).toBeNull();
    expect(modelActions(odd)).toEqual({ use: null, view: false, prune: false });
    expect(modelActions(info({ lab: 'affinity', family: 'affinity-teacher' }))).toEqual({ use: 'teacher', view: false, prune: false });
    expect(modelActions(info({ lab: 'affinity', family: 'affinity-student' }))).toEqual({ use: null, view: false, prune: false });
    expect(modelActions(info({ lab: 'prune', family: 'resnet18' }))).toEqual({ use: null, view: false, prune: true });
  });
  it('finds the model a run kept (the newest of two), none for a run whose model is gone, never a shipped one', () => {
    const dense = info({ id: 'm-dense', provenance: prov({ runId: 'r1' }), createdAt: 10 });
    const compact = info({ id: 'm-compact', provenance: prov({ runId: 'r1', compact: true }), createdAt: 11 });
    const shipped = info({ id: 'm-shipped-x', provenance: prov({ runId: 'r2' }), shipped: true });
    expect(modelOfRun([compact, dense, shipped], 'r1')?.id).toBe('m-compact');
    expect(modelOfRun([dense], 'r1')?.id).toBe('m-dense');
    expect(modelOfRun([dense], 'r9')).toBeNull();
    expect(modelOfRun([shipped], 'r2')).toBeNull();
  });
});
