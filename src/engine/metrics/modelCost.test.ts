import { describe, expect, it } from 'vitest';
import type { Architecture, ResNetArchitecture, VggArchitecture } from '../models/model';
import { countParams, disposeParams } from '../models/params';
import { buildModel, modelArchitecture, modelLayout } from '../models/registry';
import { resnetArchitecture } from '../models/resnet18';
import { architectureCost, modelCost } from './modelCost';

const vggTiny: VggArchitecture = { model: 'vgg16', numClasses: 3, inputSize: 32, channels: Array<number>(13).fill(2) };
const resTiny: ResNetArchitecture = {
  model: 'resnet18',
  numClasses: 2,
  inputSize: 8,
  channels: { stages: [2, 3, 4, 5], inner: [1, 1, 2, 2, 3, 3, 4, 4] },
  stridePad: 'symmetric',
};

describe('architectureCost', () => {
  it('counts a tiny VGG plan by hand (13 convs of 2 channels, 32×32, 3 classes)', () => {
    const c = architectureCost(vggTiny);
    // conv params: conv0 9·3·2 = 54, the other twelve 9·2·2 = 36 → 54 + 432 = 486
    // BN γ,β: 13 · 2 · 2 = 52; dense (2 ch · 1×1 positions) · 3 + 3 = 9 → 547
    expect(c.convParams).toBe(486);
    expect(c.bnParams).toBe(52);
    expect(c.denseParams).toBe(9);
    expect(c.params).toBe(547);
    // MACs: 54·32² = 55,296; 36·32² = 36,864; 2 · 36·16² = 18,432; 3 · 36·8² = 6,912;
    // 3 · 36·4² = 1,728; 3 · 36·2² = 432; dense 2·3 = 6 → 119,670
    expect(c.macs).toBe(119_670);
    expect(c.flops).toBe(2 * 119_670);
    expect(c.layers).toHaveLength(14);
  });

  it('counts a tiny ResNet plan by hand (stages 2/3/4/5, inner 1,1,2,2,3,3,4,4, 8×8, 2 classes)', () => {
    const c = architectureCost(resTiny);
    // params (k·k·cin·cout):  stem 54 | layer1 4 × 18 = 72 | layer2.0 36 + 54 + sc 6 | layer2.1 54 + 54
    //   | layer3.0 81 + 108 + sc 12 | layer3.1 108 + 108 | layer4.0 144 + 180 + sc 20 | layer4.1 180 + 180 → 1,451
    expect(c.convParams).toBe(1451);
    // BN channels: stem 2 + bn1 (1+1+2+2+3+3+4+4 = 20) + bn2 (2+2+3+3+4+4+5+5 = 28) + shortcut (3+4+5 = 12) = 62 → 124
    expect(c.bnParams).toBe(124);
    expect(c.denseParams).toBe(5 * 2 + 2);
    expect(c.params).toBe(1587);
    // MACs = params · outSize²: stem 54·64 = 3,456 | layer1 72·64 = 4,608 | layer2 (96 + 108)·16 = 3,264
    //   | layer3 (201 + 216)·4 = 1,668 | layer4 (344 + 360)·1 = 704 | dense 10 → 13,710
    expect(c.macs).toBe(13_710);
  });

  it('gives the known full-size CIFAR counts: VGG-16 ≈ 313 M MACs, ResNet-18 ≈ 556 M MACs', () => {
    const vgg = architectureCost(modelArchitecture('vgg16', { width: 1, numClasses: 10, inputSize: 32 }));
    // conv MACs = 9·cin·cout·size²:
    //   32²: 9·3·64·1024 = 1,769,472 + 9·64·64·1024 = 37,748,736
    //   16²: 9·64·128·256 = 18,874,368 + 9·128·128·256 = 37,748,736
    //    8²: 9·128·256·64 = 18,874,368 + 2 · 9·256·256·64 = 75,497,472
    //    4²: 9·256·512·16 = 18,874,368 + 2 · 9·512·512·16 = 75,497,472
    //    2²: 3 · 9·512·512·4 = 28,311,552
    //   Σ = 313,196,544; dense 512·10 = 5,120 → 313,201,664
    expect(vgg.macs).toBe(313_201_664);
    expect(vgg.params).toBe(14_724_042);
    const res = architectureCost(modelArchitecture('resnet18', { width: 1, numClasses: 10, inputSize: 32 }));
    //   stem 9·3·64·1024 = 1,769,472; layer1 4 · 9·64·64·1024 = 150,994,944
    //   layer2 (16²): 9·64·128·256 = 18,874,368 + 3 · 9·128·128·256 = 113,246,208 + 1·64·128·256 = 2,097,152 → 134,217,728
    //   layer3 (8²) and layer4 (4²): channels ×2 (MACs ×4), positions ÷4 → 134,217,728 each
    //   Σ conv = 1,769,472 + 150,994,944 + 3 · 134,217,728 = 555,417,600; dense 5,120 → 555,422,720
    expect(res.macs).toBe(555_422_720);
    expect(res.params).toBe(11_173_962);
  });

  it('agrees with the built models (params = countParams, layout convs = model convs) for plans and widths', () => {
    const archs: Architecture[] = [
      vggTiny,
      resTiny,
      modelArchitecture('vgg16', { width: 1 / 4, numClasses: 10, inputSize: 64 }),
      modelArchitecture('resnet18', { width: 1 / 8, numClasses: 100, inputSize: 33 }),
      { ...resTiny, inputSize: 10, stridePad: 'same' },
    ];
    for (const arch of archs) {
      const m = buildModel(arch, 1);
      expect(modelCost(m).params).toBe(countParams(m.store));
      expect(m.convs).toEqual(modelLayout(arch).convs);
      expect(m.architecture).toEqual(arch);
      for (const c of m.convs) expect(m.store.trainable.get(c.name)?.shape).toEqual(c.kernelShape);
      disposeParams(m.store);
    }
  });

  it('ResNet-18 costs the same under both stride-2 paddings (⌊(n + 2 − 3)/2⌋ + 1 = ⌈n/2⌉ outputs), even and odd sizes', () => {
    for (const inputSize of [32, 33, 36]) {
      const arch = resnetArchitecture({ width: 1 / 8, numClasses: 10, inputSize });
      expect(arch).toMatchObject({ stridePad: 'symmetric' });
      expect(architectureCost({ ...arch, stridePad: 'same' })).toEqual(architectureCost(arch));
    }
  });

  it('rejects a plan of the wrong length or with a non-positive count', () => {
    expect(() => architectureCost({ ...vggTiny, channels: [2, 2] })).toThrow(/needs 13 channel counts/);
    expect(() => architectureCost({ ...resTiny, channels: { stages: [2, 0, 4, 5], inner: resTiny.channels.inner } })).toThrow(/positive integers/);
  });
});
