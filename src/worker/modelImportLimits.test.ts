import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createAffinityNet, createSegModel, disposeParams, serializeAffinityNet, serializeSegModel, STREET_CLASSES, STREET_PALETTE } from '../engine';
import type { ModelFile } from '../protocol/models';
import { importArchitectureProblem, importFileSizeProblem, MAX_MODEL_JSON_BYTES, MAX_MODEL_WEIGHT_BYTES } from './modelFormats';
import { ModelLibrary } from './modelLibrary';
import { ModelStore } from './modelStore';

let db = 0;
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)).buffer as ArrayBuffer;
const library = () => {
  const name = `import-limits-${db++}`;
  return new ModelLibrary({ open: (hooks) => ModelStore.open(name, hooks), onList: () => undefined, onFailure: () => undefined, log: () => undefined });
};

async function segFiles(): Promise<{ json: Record<string, unknown>; weights: ArrayBuffer }> {
  const m = createSegModel('student', { numClasses: STREET_CLASSES.length, height: 64, width: 128, widthMultiplier: 1 / 16, seed: 1 });
  const { json, weights } = await serializeSegModel(m, {
    slot: 'student-bilinear',
    chain: 'none',
    size: 'low',
    dataset: 'streets',
    classNames: [...STREET_CLASSES],
    palette: STREET_PALETTE.map((c) => [c[0], c[1], c[2]] as [number, number, number]),
    steps: 1,
    seed: 1,
    mIoU: 0.1,
    seconds: 1,
    origin: 'r1',
  });
  disposeParams(m.store);
  return { json: structuredClone(json) as unknown as Record<string, unknown>, weights };
}

async function affinityFiles(): Promise<{ json: Record<string, unknown>; weights: ArrayBuffer }> {
  const net = createAffinityNet('teacher', { numClasses: 4, width: 1 / 16, seed: 1 });
  const { json, weights } = await serializeAffinityNet(net, { dataset: 'shapes' });
  disposeParams(net.store);
  return { json: structuredClone(json) as unknown as Record<string, unknown>, weights };
}

describe('Import limits on Segment and Affinity model files (as the classifier loader has)', () => {
  it('refuses a too-large .json or weights file by its size alone, naming the file', () => {
    expect(importFileSizeProblem({ name: 'a.json', bytes: MAX_MODEL_JSON_BYTES + 1 }, { name: 'a.bin', bytes: 10 })).toMatch(/^a\.json is 4,000,001 bytes; /);
    expect(importFileSizeProblem({ name: 'a.json', bytes: 100 }, { name: 'a.bin', bytes: MAX_MODEL_WEIGHT_BYTES + 4 })).toMatch(
      /^a\.bin is 128,000,004 bytes; the workbench loads models of at most 32,000,000 weights/,
    );
    expect(importFileSizeProblem({ name: 'a.json', bytes: 100 }, { name: 'a.bin', bytes: 100 })).toBeNull();
  });

  it('refuses a Segment / Affinity architecture that declares a huge input, layer or weight count before building it', async () => {
    const seg = await segFiles();
    expect(importArchitectureProblem('s.json', seg.json)).toBeNull();
    const arch = seg.json.architecture as Record<string, unknown>;
    expect(importArchitectureProblem('s.json', { ...seg.json, architecture: { ...arch, inputHeight: 100_000 } })).toBe(
      's.json declares an input height of 100,000; the workbench loads models of at most 1024×1024.',
    );
    const plan = arch.plan as Record<string, unknown>;
    expect(importArchitectureProblem('s.json', { ...seg.json, architecture: { ...arch, plan: { ...plan, head: 1_000_000 } } })).toBe(
      's.json declares a layer size or block count of 1,000,000; the workbench loads architectures whose numbers are at most 4,096.',
    );
    const aff = await affinityFiles();
    expect(importArchitectureProblem('t.json', aff.json)).toBeNull();
    expect(importArchitectureProblem('t.json', { ...aff.json, weights: [{ name: 'w', shape: [4096, 4096, 4], dtype: 'float32' }] })).toMatch(
      /^t\.json describes 67,108,864 weights; the workbench loads models of at most 32,000,000\.$/,
    );
    expect(importArchitectureProblem('c.json', { format: 'prune-distill-workbench', architecture: { inputSize: 99999 } })).toBeNull(); // the classifier loader's own check
  });

  it('through the library: refused with a sentence naming the file, nothing stored touched; the real file still imports', async () => {
    const lib = library();
    const seg = await segFiles();
    const good = await lib.import([
      { name: 'seg.json', bytes: enc(seg.json) },
      { name: 'seg.bin', bytes: seg.weights },
    ]);
    expect(good.ok).toBe(true);
    const before = await lib.list();
    const arch = seg.json.architecture as Record<string, unknown>;
    const tries: ModelFile[][] = [
      [
        { name: 'huge.json', bytes: new ArrayBuffer(MAX_MODEL_JSON_BYTES + 1) },
        { name: 'seg.bin', bytes: seg.weights },
      ],
      [
        { name: 'wide.json', bytes: enc({ ...seg.json, architecture: { ...arch, inputWidth: 50_000 } }) },
        { name: 'seg.bin', bytes: seg.weights },
      ],
    ];
    const messages: string[] = [];
    for (const files of tries) {
      const r = await lib.import(files);
      expect(r.ok).toBe(false);
      if (!r.ok) messages.push(r.error.message);
    }
    expect(messages[0]).toMatch(/^huge\.json is 4,000,001 bytes/);
    expect(messages[1]).toBe('wide.json declares an input width of 50,000; the workbench loads models of at most 1024×1024.');
    expect(await lib.list()).toEqual(before);
  });
});
