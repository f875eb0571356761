/** The Detect lab's compact DETR as a JSON architecture (TECHNIQUES.md §4): defaults, and the checks a buildable one passes. */

/** The encoder variants the lab compares. */
export const DETECT_ENCODERS = ['none', 'transformer', 'conv', 'dwconv'] as const;
export type DetectEncoderKind = (typeof DETECT_ENCODERS)[number];

/** Everything needed to rebuild a detector (with a seed, or weights). Input NHWC [B, inputHeight, inputWidth, 3]. */
export interface DetectArchitecture {
  model: 'detr-mobilenetv3-small';
  /** Multiples of 32 (the backbone's stride). */
  inputHeight: number;
  inputWidth: number;
  /** MobileNetV3-Small width multiplier (channels makeDivisible(c·width, 8)). */
  widthMultiplier: number;
  /** Transformer width (projection output); a multiple of 4 (sine encoding) and of every head count. */
  d: number;
  /** `layers` blocks; `heads` and `ffn` only matter for 'transformer'. */
  encoder: { kind: DetectEncoderKind; layers: number; heads: number; ffn: number };
  decoder: { layers: number; heads: number; ffn: number; queries: number };
}

/** Options of `detectArchitecture`: any field left out takes the default. */
export interface DetectArchitectureOptions {
  inputHeight?: number;
  inputWidth?: number;
  widthMultiplier?: number;
  d?: number;
  encoder?: Partial<DetectArchitecture['encoder']>;
  decoder?: Partial<DetectArchitecture['decoder']>;
}

/** Defaults: 128×256 input (4×8 = 32 tokens), width 1, d 128; transformer encoder 2 layers, 4 heads, FFN 512; decoder 2 layers, 4 heads, FFN 512, 20 queries. */
export const DEFAULT_DETECT_ARCHITECTURE: DetectArchitecture = {
  model: 'detr-mobilenetv3-small',
  inputHeight: 128,
  inputWidth: 256,
  widthMultiplier: 1,
  d: 128,
  encoder: { kind: 'transformer', layers: 2, heads: 4, ffn: 512 },
  decoder: { layers: 2, heads: 4, ffn: 512, queries: 20 },
};

const posInt = (what: string, v: number, min = 1) => {
  if (!Number.isInteger(v) || v < min) throw new Error(`The detector needs ${what} an integer of at least ${min}, got ${v}.`);
};

/** Throw one clear sentence unless the architecture can be built. */
export function checkDetectArchitecture(a: DetectArchitecture): void {
  if (a.model !== 'detr-mobilenetv3-small') throw new Error(`Unknown detector model ${JSON.stringify(a.model)}.`);
  for (const [n, v] of [
    ['height', a.inputHeight],
    ['width', a.inputWidth],
  ] as const) {
    if (!Number.isInteger(v) || v < 32 || v % 32 !== 0) throw new Error(`The detector needs an input ${n} that is a positive multiple of 32, got ${v}.`);
  }
  if (!(a.widthMultiplier > 0) || !Number.isFinite(a.widthMultiplier))
    throw new Error(`The detector needs a positive width multiplier, got ${a.widthMultiplier}.`);
  posInt('d', a.d, 4);
  if (a.d % 4 !== 0) throw new Error(`The detector needs d a multiple of 4 (sine positional encoding), got ${a.d}.`);
  if (!DETECT_ENCODERS.includes(a.encoder.kind))
    throw new Error(`Unknown encoder ${JSON.stringify(a.encoder.kind)}; expected one of ${DETECT_ENCODERS.join(', ')}.`);
  posInt('encoder layers', a.encoder.layers, a.encoder.kind === 'none' ? 0 : 1);
  posInt('encoder heads', a.encoder.heads);
  posInt('encoder FFN width', a.encoder.ffn);
  posInt('decoder layers', a.decoder.layers);
  posInt('decoder heads', a.decoder.heads);
  posInt('decoder FFN width', a.decoder.ffn);
  posInt('queries', a.decoder.queries);
  if (a.encoder.kind === 'transformer' && a.d % a.encoder.heads !== 0)
    throw new Error(`d (${a.d}) must be divisible by the encoder's heads (${a.encoder.heads}).`);
  if (a.d % a.decoder.heads !== 0) throw new Error(`d (${a.d}) must be divisible by the decoder's heads (${a.decoder.heads}).`);
}

/** A checked architecture from options over the defaults (encoder 'none' has 0 layers). */
export function detectArchitecture(opts: DetectArchitectureOptions = {}): DetectArchitecture {
  const D = DEFAULT_DETECT_ARCHITECTURE;
  const encoder = { ...D.encoder, ...opts.encoder };
  if (encoder.kind === 'none') encoder.layers = 0;
  const a: DetectArchitecture = {
    model: D.model,
    inputHeight: opts.inputHeight ?? D.inputHeight,
    inputWidth: opts.inputWidth ?? D.inputWidth,
    widthMultiplier: opts.widthMultiplier ?? D.widthMultiplier,
    d: opts.d ?? D.d,
    encoder,
    decoder: { ...D.decoder, ...opts.decoder },
  };
  checkDetectArchitecture(a);
  return a;
}
