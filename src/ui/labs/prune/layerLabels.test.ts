import { describe, expect, it } from 'vitest';
import { shortLayerLabel, shortLayerLabels } from './layerLabels';

describe('shortLayerLabel', () => {
  it('shortens VGG, ResNet block, shortcut and stem names', () => {
    expect(shortLayerLabel('conv3.kernel')).toBe('conv3');
    expect(shortLayerLabel('conv12.kernel')).toBe('conv12');
    expect(shortLayerLabel('layer2.0.conv1.kernel')).toBe('L2.0 c1');
    expect(shortLayerLabel('layer4.1.conv2.kernel')).toBe('L4.1 c2');
    expect(shortLayerLabel('layer2.0.shortcut.conv.kernel')).toBe('L2.0 sc');
    expect(shortLayerLabel('stem.conv.kernel')).toBe('stem');
  });

  it('leaves unknown names readable', () => {
    expect(shortLayerLabel('fc.kernel')).toBe('fc');
    expect(shortLayerLabel('head.proj')).toBe('head.proj');
    expect(shortLayerLabel('')).toBe('');
  });
});

describe('shortLayerLabels', () => {
  it('maps a ResNet-18 prefix in order', () => {
    expect(shortLayerLabels(['stem.conv.kernel', 'layer1.0.conv1.kernel', 'layer2.0.shortcut.conv.kernel'])).toEqual(['stem', 'L1.0 c1', 'L2.0 sc']);
  });

  it('keeps labels unique by falling back to the longer name', () => {
    expect(shortLayerLabels(['stem.conv.kernel', 'stem.kernel', 'conv1.kernel'])).toEqual(['stem.conv', 'stem', 'conv1']);
  });
});
