/** The built-in procedural dataset: 32×32 RGB shapes and textures over cluttered, noisy backgrounds, 10 classes. */
import { hashSeed, mulberry32, randInt, uniform, type Rng } from '../random';
import type { ImageDataset, ImageSplit } from './dataset';
import {
  checker,
  colorWithLuma,
  createCanvas,
  dotGrid,
  drawShape,
  fillGradient,
  pickLuma,
  sdBox,
  sdCapsule,
  sdPolygon,
  stripes,
  writeNoisyUint8,
  type Frame,
  type Pattern,
  type Sdf,
} from './raster';

export const SHAPE_CLASS_NAMES = ['circle', 'square', 'triangle', 'cross', 'star', 'ring', 'crescent', 'stripes', 'checker', 'dots'] as const;

/** Split ids mixed into each image's seed, so train and test never coincide. */
export const SHAPE_SPLIT = { train: 0, test: 1 } as const;

const SIZE = 32;
const NUM_CLASSES = SHAPE_CLASS_NAMES.length;
const LABEL_SALT = 0x1abe1;
const MAX_RADIUS = 12.8; // 80 % of the image across
const canvas = createCanvas(SIZE, SIZE);

interface ClassStyle {
  /** Smallest radius in pixels (the largest is MAX_RADIUS). */
  minR: number;
  /** Largest ratio between the two axes. */
  aspect: number;
  /** Reach of the shape in unit space (bounds the pixels visited). */
  extent: number;
  /** Outline (unit space), and for textures the fill pattern (pixel space). */
  build(rng: Rng): { sdf: Sdf; pattern?: Pattern };
}

const circle: Sdf = (u, v) => Math.sqrt(u * u + v * v) - 1;

/** Vertices [x0, y0, ...] at the given radii and angles. */
function polar(radii: number[], angles: number[]): Float64Array {
  const out = new Float64Array(radii.length * 2);
  radii.forEach((r, i) => {
    out[2 * i] = r * Math.cos(angles[i]!);
    out[2 * i + 1] = r * Math.sin(angles[i]!);
  });
  return out;
}

/** Outline of a texture patch: an ellipse or a rounded rectangle. */
function patch(rng: Rng): Sdf {
  if (rng() < 0.5) return circle;
  const round = uniform(rng, 0.15, 0.5);
  return (u, v) => sdBox(u, v, 0.85 - round, 0.85 - round) - round;
}

const STYLES: readonly ClassStyle[] = [
  { minR: 5.6, aspect: 1.2, extent: 1.1, build: () => ({ sdf: circle }) },
  {
    minR: 6,
    aspect: 1.3,
    extent: 1.3,
    build: (rng) => {
      const round = uniform(rng, 0, 0.12);
      return { sdf: (u, v) => sdBox(u, v, 0.8 - round, 0.8 - round) - round };
    },
  },
  {
    minR: 7,
    aspect: 1.15,
    extent: 1.3,
    build: (rng) => {
      const angles = [0, 1, 2].map((k) => -Math.PI / 2 + (k * 2 * Math.PI) / 3 + uniform(rng, -0.2, 0.2));
      const verts = polar(
        angles.map(() => uniform(rng, 0.95, 1.15)),
        angles,
      );
      return { sdf: (u, v) => sdPolygon(u, v, verts) };
    },
  },
  {
    minR: 6,
    aspect: 1.15,
    extent: 1.2,
    build: (rng) => {
      const t = uniform(rng, 0.2, 0.34);
      const l = uniform(rng, 0.85, 1);
      return { sdf: (u, v) => Math.min(sdBox(u, v, 1, t), sdBox(u, v, t, l)) };
    },
  },
  {
    minR: 7,
    aspect: 1.1,
    extent: 1.1,
    build: (rng) => {
      const points = rng() < 0.75 ? 5 : 6;
      const inner = uniform(rng, 0.38, 0.5);
      const radii = Array.from({ length: 2 * points }, (_, i) => (i % 2 ? inner : 1));
      const verts = polar(
        radii,
        radii.map((_, i) => (i * Math.PI) / points),
      );
      return { sdf: (u, v) => sdPolygon(u, v, verts) };
    },
  },
  {
    minR: 6.5,
    aspect: 1.15,
    extent: 1.1,
    build: (rng) => {
      const t = uniform(rng, 0.16, 0.28);
      return { sdf: (u, v) => Math.abs(Math.sqrt(u * u + v * v) - 1 + t) - t };
    },
  },
  {
    minR: 6.5,
    aspect: 1.1,
    extent: 1.1,
    build: (rng) => {
      const off = uniform(rng, 0.45, 0.7);
      const r2 = uniform(rng, 0.75, 0.95);
      return { sdf: (u, v) => Math.max(circle(u, v), r2 - Math.sqrt((u - off) ** 2 + v * v)) };
    },
  },
  {
    minR: 7.5,
    aspect: 1.4,
    extent: 1.1,
    build: (rng) => ({ sdf: patch(rng), pattern: stripes(uniform(rng, 3.5, 6), uniform(rng, 0, Math.PI), rng()) }),
  },
  {
    minR: 7.5,
    aspect: 1.4,
    extent: 1.1,
    build: (rng) => ({ sdf: patch(rng), pattern: checker(uniform(rng, 3, 4.5), uniform(rng, 0, Math.PI / 2), rng(), rng()) }),
  },
  {
    minR: 7.5,
    aspect: 1.4,
    extent: 1.1,
    build: (rng) => {
      const spacing = uniform(rng, 4, 6);
      const pattern = dotGrid(spacing, spacing * uniform(rng, 0.22, 0.3), uniform(rng, 0, Math.PI / 2), rng(), rng());
      return { sdf: patch(rng), pattern };
    },
  },
];

/** Background clutter: a few small line segments and blobs, clearly smaller than the object. */
function drawClutter(rng: Rng, bgLuma: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const color = colorWithLuma(rng, pickLuma(rng, [bgLuma], 0.12));
    const frame: Frame = { cx: uniform(rng, 0, SIZE), cy: uniform(rng, 0, SIZE), angle: uniform(rng, 0, Math.PI), sx: 1, sy: 1 };
    if (rng() < 0.6) {
      const half = uniform(rng, 1.5, 4);
      const r = uniform(rng, 0.35, 0.75);
      drawShape(canvas, frame, (u, v) => sdCapsule(u, v, -half, 0, half, 0, r), { color }, half + 1);
    } else {
      frame.sx = uniform(rng, 0.8, 2);
      frame.sy = frame.sx * uniform(rng, 0.6, 1);
      drawShape(canvas, frame, circle, { color });
    }
  }
}

/** Render one image (HWC uint8, 32×32×3) of class label into out at offset, from its own seeded stream. */
export function renderShapeImage(seed: number, split: 0 | 1, index: number, label: number, out: Uint8Array, offset: number): void {
  const style = STYLES[label];
  if (!style) throw new RangeError(`shape label ${label} is not in [0, ${NUM_CLASSES})`);
  const rng = mulberry32(hashSeed(seed, split, index));

  const bg = uniform(rng, 0.12, 0.88);
  const c0 = colorWithLuma(rng, bg + uniform(rng, -0.1, 0.1), 0.8);
  const c1 = colorWithLuma(rng, bg + uniform(rng, -0.1, 0.1), 0.8);
  const t0 = uniform(rng, -20, 4);
  fillGradient(canvas, c0, c1, uniform(rng, 0, 2 * Math.PI), t0, t0 + uniform(rng, 12, 40));
  drawClutter(rng, bg, 1 + randInt(rng, 5));

  const r = uniform(rng, style.minR, MAX_RADIUS);
  const aspect = Math.exp(uniform(rng, -1, 1) * Math.log(style.aspect));
  const margin = r * 0.8;
  const frame: Frame = {
    cx: uniform(rng, margin, SIZE - margin),
    cy: uniform(rng, margin, SIZE - margin),
    angle: uniform(rng, 0, 2 * Math.PI),
    sx: r * Math.sqrt(aspect),
    sy: r / Math.sqrt(aspect),
  };
  const fg = pickLuma(rng, [bg], 0.3);
  const color = colorWithLuma(rng, fg);
  const second = colorWithLuma(rng, pickLuma(rng, [fg, bg], 0.22));
  const { sdf, pattern } = style.build(rng);
  const shade = uniform(rng, -0.15, 0.15) / r;
  drawShape(canvas, frame, sdf, { color, second, pattern, shade, shadeAngle: uniform(rng, 0, 2 * Math.PI) }, style.extent);
  if (rng() < 0.3) drawClutter(rng, bg, 1); // an occluder now and then

  writeNoisyUint8(canvas, rng, uniform(rng, 0.03, 0.06), out, offset);
}

/** Exactly balanced labels: every aligned block of 10 indices holds each class once, in a seeded order. */
export function shapeLabel(seed: number, split: 0 | 1, index: number): number {
  const block = Math.floor(index / NUM_CLASSES);
  const rng = mulberry32(hashSeed(seed, split, block, LABEL_SALT));
  const order = Array.from({ length: NUM_CLASSES }, (_, i) => i);
  for (let i = NUM_CLASSES - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order[index % NUM_CLASSES]!;
}

const CHUNK = 250;
const nextTick = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Generate the train and test splits (images NHWC uint8, count×32×32×3) in chunks of 250 images,
 * yielding to the event loop between chunks so a worker stays responsive; onProgress gets fractions in [0, 1].
 */
export async function generateShapesDataset(opts: {
  seed: number;
  trainSize: number;
  testSize: number;
  onProgress?: (fraction: number) => void;
}): Promise<ImageDataset> {
  const { seed, trainSize, testSize, onProgress } = opts;
  const total = trainSize + testSize;
  let done = 0;
  const makeSplit = async (split: 0 | 1, count: number): Promise<ImageSplit> => {
    const stride = SIZE * SIZE * 3;
    const images = new Uint8Array(count * stride);
    const labels = new Uint8Array(count);
    for (let start = 0; start < count; start += CHUNK) {
      const end = Math.min(count, start + CHUNK);
      for (let i = start; i < end; i++) {
        labels[i] = shapeLabel(seed, split, i);
        renderShapeImage(seed, split, i, labels[i]!, images, i * stride);
      }
      done += end - start;
      if (done < total) onProgress?.(done / total);
      await nextTick();
    }
    return { images, labels, count };
  };
  const train = await makeSplit(SHAPE_SPLIT.train, trainSize);
  const test = await makeSplit(SHAPE_SPLIT.test, testSize);
  onProgress?.(1);
  return { name: 'shapes', classNames: SHAPE_CLASS_NAMES, height: SIZE, width: SIZE, channels: 3, train, test };
}
