import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { SegImportError } from './segImportError';
import { detectSegFormat, parseNameList, planSegPairs, vocTestListPath } from './segPairs';
import type { SegPlan } from './segPairs';
import { VOC_FILE_PALETTE, grayPng, palettePng, rgbPng, vocIndexedPng } from './seg.fixture';

function failure(paths: string[]): SegImportError {
  try {
    planSegPairs(paths);
  } catch (e) {
    if (e instanceof SegImportError) return e;
    throw e;
  }
  throw new Error('expected a SegImportError');
}

/** "image → label (split)" lines of a plan, in its order. */
const lines = (plan: SegPlan) => plan.pairs.map((p) => `${p.image} → ${p.label} (${p.split} ${p.slot})`);

describe('planSegPairs: the layouts of real datasets', () => {
  it('SegNet CamVid: train/ trainannot/ val/ valannot/ test/ testannot/ with equal names; val trains when test exists', () => {
    const names = { train: ['0001TP_006690', '0001TP_006720'], val: ['0016E5_07959'], test: ['Seq05VD_f00000', 'Seq05VD_f00030'] };
    const paths = Object.entries(names).flatMap(([split, ns]) => ns.flatMap((n) => [`CamVid/${split}/${n}.png`, `CamVid/${split}annot/${n}.png`]));
    paths.push('CamVid/train.txt', 'CamVid/README');
    const plan = planSegPairs(paths);
    expect(plan.name).toBe('CamVid');
    expect(lines(plan)).toEqual([
      'CamVid/test/Seq05VD_f00000.png → CamVid/testannot/Seq05VD_f00000.png (test 0)',
      'CamVid/test/Seq05VD_f00030.png → CamVid/testannot/Seq05VD_f00030.png (test 1)',
      'CamVid/train/0001TP_006690.png → CamVid/trainannot/0001TP_006690.png (train 0)',
      'CamVid/train/0001TP_006720.png → CamVid/trainannot/0001TP_006720.png (train 1)',
      'CamVid/val/0016E5_07959.png → CamVid/valannot/0016E5_07959.png (train 2)',
    ]);
    expect(plan.counts).toEqual({ train: 3, test: 2 });
    expect(plan.skipped).toEqual(['CamVid/train.txt', 'CamVid/README']);
  });

  it('CamVid 32 (Kaggle): train/X.png ↔ train_labels/X_L.png, val is the test split without test/', () => {
    const plan = planSegPairs(['camvid/train/a.png', 'camvid/train_labels/a_L.png', 'camvid/val/b.png', 'camvid/val_labels/b_L.png', 'camvid/class_dict.csv']);
    expect(lines(plan)).toEqual(['camvid/train/a.png → camvid/train_labels/a_L.png (train 0)', 'camvid/val/b.png → camvid/val_labels/b_L.png (test 0)']);
  });

  it('CamVid original: 701_StillsRaw_full/X.png ↔ LabeledApproved_full/X_L.png, every 5th pair held out', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `0001TP_00${6690 + i * 30}`);
    const paths = ids.flatMap((id) => [`LabeledApproved_full/${id}_L.png`, `701_StillsRaw_full/${id}.png`]);
    const plan = planSegPairs(paths);
    expect(plan.name).toBe('Segmentation pairs');
    expect(plan.pairs.map((p) => p.split)).toEqual(['train', 'train', 'train', 'train', 'test', 'train', 'train', 'train', 'train', 'test']);
    expect(plan.pairs[4]).toEqual({ image: `701_StillsRaw_full/${ids[4]}.png`, label: `LabeledApproved_full/${ids[4]}_L.png`, split: 'test', slot: 0 });
  });

  it('fastai CamVid: images/X.png ↔ labels/X_P.png', () => {
    const paths = ['camvid_tiny/codes.txt', ...['a', 'b', 'c', 'd', 'e'].flatMap((n) => [`camvid_tiny/images/${n}.png`, `camvid_tiny/labels/${n}_P.png`])];
    const plan = planSegPairs(paths);
    expect(plan.name).toBe('camvid_tiny');
    expect(plan.pairs[0]).toMatchObject({ image: 'camvid_tiny/images/a.png', label: 'camvid_tiny/labels/a_P.png' });
    expect(plan.counts).toEqual({ train: 4, test: 1 });
  });

  it('Cityscapes: leftImg8bit ↔ gtFine labelIds; colour, instance, trainIds and polygons skipped; val tests, test has no labels', () => {
    const gt = (split: string, id: string) =>
      ['labelIds.png', 'color.png', 'instanceIds.png', 'labelTrainIds.png', 'polygons.json'].map(
        (s) => `gtFine/${split}/${id.split('_')[0]}/${id}_gtFine_${s}`,
      );
    const img = (split: string, id: string) => `leftImg8bit/${split}/${id.split('_')[0]}/${id}_leftImg8bit.png`;
    const ids = { train: ['aachen_000000_000019', 'bremen_000001_000019'], val: ['frankfurt_000000_000294'], test: ['berlin_000000_000019'] };
    const paths = Object.entries(ids).flatMap(([split, list]) => list.flatMap((id) => [img(split, id), ...gt(split, id)]));
    const plan = planSegPairs(paths);
    expect(lines(plan)).toEqual([
      'leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png → gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png (train 0)',
      'leftImg8bit/train/bremen/bremen_000001_000019_leftImg8bit.png → gtFine/train/bremen/bremen_000001_000019_gtFine_labelIds.png (train 1)',
      'leftImg8bit/val/frankfurt/frankfurt_000000_000294_leftImg8bit.png → gtFine/val/frankfurt/frankfurt_000000_000294_gtFine_labelIds.png (test 0)',
    ]);
    expect(plan.skipped).toContain('gtFine/train/aachen/aachen_000000_000019_gtFine_color.png');
    expect(plan.skipped).toContain('gtFine/train/aachen/aachen_000000_000019_gtFine_instanceIds.png');
    expect(plan.skipped).toContain('gtFine/train/aachen/aachen_000000_000019_gtFine_labelTrainIds.png');
    expect(plan.skipped).toContain('leftImg8bit/test/berlin/berlin_000000_000019_leftImg8bit.png');
    expect(plan.skipped).toContain('gtFine/test/berlin/berlin_000000_000019_gtFine_labelIds.png');
    // labelTrainIds alone pair too.
    const trainIds = planSegPairs([
      img('train', 'a_1'),
      `gtFine/train/a/a_1_gtFine_labelTrainIds.png`,
      img('val', 'b_1'),
      `gtFine/val/b/b_1_gtFine_labelTrainIds.png`,
    ]);
    expect(trainIds.pairs.map((p) => p.label)).toEqual(['gtFine/train/a/a_1_gtFine_labelTrainIds.png', 'gtFine/val/b/b_1_gtFine_labelTrainIds.png']);
  });

  it('Pascal VOC: JPEGImages ↔ SegmentationClass; unlabelled JPEGs and SegmentationObject skipped; val.txt picks the test split', () => {
    const root = 'VOCdevkit/VOC2012';
    const labelled = ['2007_000032', '2007_000033', '2007_000039', '2007_000042'];
    const paths = [
      ...['2007_000027', ...labelled].map((n) => `${root}/JPEGImages/${n}.jpg`),
      ...labelled.flatMap((n) => [`${root}/SegmentationClass/${n}.png`, `${root}/SegmentationObject/${n}.png`]),
      `${root}/Annotations/2007_000027.xml`,
      `${root}/ImageSets/Segmentation/val.txt`,
    ];
    expect(vocTestListPath(paths)).toBe(`${root}/ImageSets/Segmentation/val.txt`);
    const plan = planSegPairs(paths, { testNames: parseNameList('2007_000033\r\n2007_000042\n\n') });
    expect(plan.name).toBe('VOCdevkit');
    expect(lines(plan)).toEqual([
      `${root}/JPEGImages/2007_000032.jpg → ${root}/SegmentationClass/2007_000032.png (train 0)`,
      `${root}/JPEGImages/2007_000033.jpg → ${root}/SegmentationClass/2007_000033.png (test 0)`,
      `${root}/JPEGImages/2007_000039.jpg → ${root}/SegmentationClass/2007_000039.png (train 1)`,
      `${root}/JPEGImages/2007_000042.jpg → ${root}/SegmentationClass/2007_000042.png (test 1)`,
    ]);
    expect(plan.skipped).toContain(`${root}/JPEGImages/2007_000027.jpg`);
    expect(plan.skipped).toContain(`${root}/SegmentationObject/2007_000032.png`);
  });

  it('same base name: X.jpg ↔ X.png in one folder, and images/X.jpg ↔ masks/X.png', () => {
    const plan = planSegPairs(['set/train/a.jpg', 'set/train/a.png', 'set/test/b.jpeg', 'set/test/b.png']);
    expect(lines(plan)).toEqual(['set/test/b.jpeg → set/test/b.png (test 0)', 'set/train/a.jpg → set/train/a.png (train 0)']);
    const masks = planSegPairs(['images/train/x.jpg', 'masks/train/x.png', 'images/val/y.jpg', 'masks/val/y.png']);
    expect(lines(masks)).toEqual(['images/train/x.jpg → masks/train/x.png (train 0)', 'images/val/y.jpg → masks/val/y.png (test 0)']);
  });
});

describe('planSegPairs: errors', () => {
  it('no pairs at all', () => {
    const e = failure(['photos/a.jpg', 'photos/b.png', 'notes.txt']);
    expect(e.code).toBe('no-pairs');
    expect(e.message).toMatch(/^No image–label pairs were found among 3 files \(2 images, 0 label PNGs\): labels pair with images by file name/);
    expect(failure([]).code).toBe('no-pairs');
  });

  it('unpaired images: a few names and the count', () => {
    const paths = ['d/images/a.png', 'd/labels/a.png', ...['b', 'c', 'e', 'f', 'g'].map((n) => `d/images/${n}.png`)];
    const e = failure(paths);
    expect(e.code).toBe('unpaired-image');
    expect(e.message).toMatch(/^5 images have no label PNG \(d\/images\/b\.png, d\/images\/c\.png, d\/images\/e\.png and 2 more\): labels pair/);
    expect(failure(['d/images/a.png', 'd/labels/a.png', 'd/images/b.png']).message).toMatch(/^1 image has no label PNG \(d\/images\/b\.png\)/);
  });

  it('unpaired labels', () => {
    const e = failure(['d/images/a.png', 'd/labels/a.png', 'd/labels/z_L.png', 'd/labels/y.png']);
    expect(e.code).toBe('unpaired-label');
    expect(e.message).toMatch(/^2 label PNGs have no image \(d\/labels\/z_L\.png, d\/labels\/y\.png\)/);
  });

  it('two labels for one image, and one label for two images', () => {
    const e = failure(['CamVid/images/a.png', 'CamVid/labels/a_L.png', 'CamVid/labels/a_P.png']);
    expect(e.code).toBe('duplicate-label');
    expect(e.message).toBe('Image CamVid/images/a.png has 2 label files (CamVid/labels/a_L.png, CamVid/labels/a_P.png): keep one of them.');
    const d = failure(['x/images/a.png', 'x/photos/a.jpg', 'x/labels/a.png']);
    expect(d.code).toBe('duplicate-image');
    expect(d.message).toBe('Label x/labels/a.png matches two images (x/images/a.png, x/photos/a.jpg): keep one of them.');
  });

  it('a split without pairs', () => {
    expect(failure(['images/a.png', 'labels/a.png', 'images/b.png', 'labels/b.png']).message).toBe(
      'No test pairs: there are too few pairs to hold any out for testing (2 in all); add a val/ or test/ folder or more pairs.',
    );
    expect(failure(['train/a.png', 'trainannot/a.png']).code).toBe('missing-test');
    const t = failure(['test/a.png', 'testannot/a.png']);
    expect(t.code).toBe('missing-train');
    expect(t.message).toBe('Only test pairs were found (1): add a train/ folder of pairs.');
  });

  it('for evaluation, a folder of only val/ or test/ pairs (or two pairs) is fine and every pair is kept', () => {
    const only = planSegPairs(['test/a.png', 'testannot/a.png', 'test/b.png', 'testannot/b.png'], { evaluation: true });
    expect(only.pairs.map((p) => [p.image, p.label])).toEqual([
      ['test/a.png', 'testannot/a.png'],
      ['test/b.png', 'testannot/b.png'],
    ]);
    expect(planSegPairs(['images/a.png', 'labels/a.png', 'images/b.png', 'labels/b.png'], { evaluation: true }).pairs).toHaveLength(2);
  });
});

describe('detectSegFormat', () => {
  it('from the name: Cityscapes labelIds and labelTrainIds', () => {
    const gray = decode(grayPng(1, 1, [7]));
    expect(detectSegFormat('gtFine/train/a/a_gtFine_labelIds.png', gray)).toBe('cityscapes');
    expect(detectSegFormat('gtFine/train/a/a_gtFine_labelTrainIds.png', gray)).toBe('cityscapes-trainids');
  });

  it('from the pixels: VOC palette PNGs, CamVid colour PNGs, CamVid index PNGs', () => {
    const vocPng = decode(vocIndexedPng(2, 1, [0, 15]));
    expect(detectSegFormat('VOC2012/SegmentationClass/2007_000032.png', vocPng)).toBe('voc');
    expect(detectSegFormat('elsewhere/x.png', vocPng)).toBe('voc'); // by its palette
    expect(detectSegFormat('SegmentationClassAug/x.png', decode(grayPng(1, 1, [15])))).toBe('voc');
    expect(detectSegFormat('train_labels/a_L.png', decode(rgbPng(1, 1, [[128, 64, 128]])))).toBe('camvid32');
    expect(detectSegFormat('labels/a_P.png', decode(grayPng(1, 1, [17])))).toBe('camvid32');
    expect(detectSegFormat('trainannot/a.png', decode(grayPng(1, 1, [3])))).toBe('camvid11');
    expect(
      detectSegFormat(
        'labels/a.png',
        decode(
          palettePng(
            2,
            1,
            [0, 1],
            [
              [128, 64, 128],
              [0, 0, 0],
            ],
          ),
        ),
      ),
    ).toBe('camvid32');
    expect(
      detectSegFormat(
        'labels/a.png',
        decode(
          palettePng(
            2,
            1,
            [0, 1],
            [
              [7, 7, 7],
              [8, 8, 8],
            ],
          ),
        ),
      ),
    ).toBe('camvid11');
    expect(VOC_FILE_PALETTE).toHaveLength(256);
  });
});
