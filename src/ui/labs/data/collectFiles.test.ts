import { describe, expect, it } from 'vitest';
import type { ImportFile } from '../../../protocol/datasets';
import { detectRequestFor, looksLikeDetection, requestFor } from './collectFiles';

const files = (...paths: string[]): ImportFile[] => paths.map((path) => ({ path, file: new File([], path.split('/').pop()!) }));

describe('import requests from picked files', () => {
  it('takes a COCO instances_*.json or VOC Annotations/*.xml folder for person boxes, and nothing else', () => {
    expect(looksLikeDetection(files('coco/annotations/instances_val2017.json', 'coco/val2017/1.jpg'))).toBe(true);
    expect(looksLikeDetection(files('VOC2012/Annotations/2008_000001.xml', 'VOC2012/JPEGImages/2008_000001.jpg'))).toBe(true);
    // A VOC segmentation folder has Annotations/ too, but its label PNGs make it a segmentation import.
    expect(looksLikeDetection(files('VOC2012/Annotations/a.xml', 'VOC2012/JPEGImages/a.jpg', 'VOC2012/SegmentationClass/a.png'))).toBe(false);
    expect(looksLikeDetection(files('pets/cat/1.png', 'pets/dog/2.png'))).toBe(false);
    expect(looksLikeDetection(files('cifar-10-binary.tar.gz'))).toBe(false);
    expect(detectRequestFor(files('a/instances_x.json'))).toMatchObject({ format: 'detection' });
    expect(requestFor(files('pets/cat/1.png'), 'fine')).toMatchObject({ format: 'folder' });
  });
});
