/**
 * The Detect lab (TECHNIQUES.md §4, issue #12): a compact DETR person detector — MobileNetV3-Small backbone, an encoder that is
 * the experiment (none | transformer | convolutional | depthwise-separable convolutional), a shrunk decoder with N learned
 * queries — trained with Hungarian matching, DETR's set loss on every decoder layer, AdamW and gradient clipping; evaluated by
 * COCO-style person AP. Its viewer runs the zoo's transformer-encoder and convolutional-encoder detectors side by side on a photo.
 */
import type { Outcome } from '../errors';
import { defineLab, extra, phantom, type ConfigOf, type LiveKeyOf, type NumberKeyOf } from './spec';

export const DETECT_ENCODER_NAMES = ['transformer', 'conv', 'dwconv', 'none'] as const;
export type DetectEncoderName = (typeof DETECT_ENCODER_NAMES)[number];
export const DETECT_ENCODER_LABELS: Record<DetectEncoderName, string> = {
  transformer: 'Transformer (self-attention, sine positions)',
  conv: 'Convolutional (residual 3×3 blocks)',
  dwconv: 'Depthwise-separable convolutional',
  none: 'None (projection straight to the decoder)',
};
/** Short names (tables, legends). */
export const DETECT_ENCODER_SHORT: Record<DetectEncoderName, string> = { transformer: 'transformer', conv: 'conv', dwconv: 'dw-conv', none: 'none' };
/** The id of the built-in procedural street scenes with person boxes (128×256): the classic scenes, the shipped detectors' data. */
export const PEOPLE_ID = 'people';
/** The id of the built-in realistic street scenes with person boxes (issue #15's scenes, people with heads, limbs, clothing, skin tones). */
export const PEOPLE_REALISTIC_ID = 'people-realistic';
/** The built-in scene sets' display names (the runs table's Dataset column, the worker's dataset names). */
export const PEOPLE_NAMES: Readonly<Record<string, string>> = {
  [PEOPLE_ID]: 'People in street scenes (built-in)',
  [PEOPLE_REALISTIC_ID]: 'People in realistic street scenes (built-in)',
};
/**
 * The engine's names of the built-in scene sets, per style: what `npm run pretrain:detect` and the lab's runs write into a
 * detector file's provenance. The engine's `detectDatasetName` is typed to return one of these, so the two cannot drift.
 */
export type BuiltinDetectSetName = 'streets-people' | 'streets-people-realistic';
const BUILTIN_SET_IDS: Readonly<Record<BuiltinDetectSetName, string>> = { 'streets-people': PEOPLE_ID, 'streets-people-realistic': PEOPLE_REALISTIC_ID };
/** A detector file's dataset as a person reads it: a built-in scene set's engine name becomes the menu's name; any other name stays. */
export function detectDatasetDisplayName(name: string): string {
  const id = Object.hasOwn(BUILTIN_SET_IDS, name) ? BUILTIN_SET_IDS[name as BuiltinDetectSetName] : undefined;
  return id ? PEOPLE_NAMES[id]! : name;
}
/** The built-in scene sets' styles (what the worker generates for each id; what the viewer reads off a detector's data). */
export const PEOPLE_STYLES: Readonly<Record<string, DetectSceneStyle>> = { [PEOPLE_ID]: 'classic', [PEOPLE_REALISTIC_ID]: 'realistic' };
/** Whether a dataset id names one of the built-in scene sets (generated per run) rather than an imported one. */
export const isBuiltinPeople = (id: string): boolean => Object.hasOwn(PEOPLE_STYLES, id);
/** The input size of the built-in scenes and of the shipped detectors: a stride-32 map of 4 × 8 = 32 tokens. */
export const DETECT_INPUT = { height: 128, width: 256 } as const;
/** The grey of the viewer's letterbox bars (YOLO's 114); the engine's LETTERBOX_GREY (training augmentation, real-photo evaluation) is the same. */
export const LETTERBOX_GREY = 114;
/** The most decoder layers a run may have (one loss series per layer and term). */
/**
 * The Detect evaluation's person height bands, as the charts name them: the engine's PERSON_HEIGHT_BANDS (a person's box
 * height as a share of the input's: < 1/8, 1/8–1/3, ≥ 1/3), whose AP@0.5 is the series `test.ap50.band<i>`. A unit test
 * keeps the two lists in step.
 */
export const PERSON_HEIGHT_BAND_LABELS = ['< 1/8', '1/8–1/3', '≥ 1/3'] as const;

export const DETECT_MAX_DECODER_LAYERS = 4;

/**
 * The viewer's two panes of trained detectors: the transformer-encoder one and the convolutional-encoder one (a 'conv' or a
 * 'dwconv' encoder fills the latter). Detectors without an encoder go to the model library only.
 */
export const DETECT_SLOTS = ['transformer', 'conv'] as const;
export type DetectSlot = (typeof DETECT_SLOTS)[number];
export function detectSlotOf(encoder: DetectEncoderName): DetectSlot | null {
  return encoder === 'transformer' ? 'transformer' : encoder === 'conv' || encoder === 'dwconv' ? 'conv' : null;
}

const DETECT_FIELDS = {
  encoder: { kind: 'enum', label: 'Encoder', options: DETECT_ENCODER_NAMES, default: 'transformer', optionLabels: DETECT_ENCODER_LABELS },
  /** 'people' / 'people-realistic' (built-in scenes, classic or realistic) or the id of an imported detection dataset (COCO / VOC persons). */
  dataset: {
    kind: 'id',
    label: 'Dataset',
    default: PEOPLE_ID,
    pattern: /^(people|people-realistic|ds-[a-z0-9-]{1,40})$/,
    what: 'a detection dataset id',
    message: 'must be "people", "people-realistic" or an imported dataset id',
  },
  /** Random horizontal flip of every training image and its boxes. */
  flip: { kind: 'boolean', label: 'Random horizontal flip (image and boxes)', default: true },
  /**
   * Share of training images shown letterboxed (squeezed to 35–100 % of the width between grey bars, as the viewer fits a photo
   * narrower than 2:1; engine DetectBatcher). The shipped detectors' stage 2 used 0.5 (npm run pretrain:detect).
   */
  letterbox: { label: 'Letterbox augmentation (share of images)', min: 0, max: 1, default: 0, scale: 'linear' },
  /**
   * Share of training images shown zoomed in (a window of 1/1–1/2.5 of the frame at a random place, blown up to it; boxes
   * clipped, slivers under a quarter of their area made ignore regions; engine zoomImage), so that near people — as photos
   * show them — are common. Applied before the letterbox.
   */
  zoom: { label: 'Zoom-in augmentation (share of images)', min: 0, max: 1, default: 0, scale: 'linear' },
  /**
   * Start the backbone from the shipped pretrained one (public/models/detect/backbone.*, `npm run pretrain:detect`'s stage 0:
   * MobileNetV3-Small width 0.5 trained on the built-in scenes' class maps — the workbench's stand-in for DETR's ImageNet
   * backbone). Needs width 0.5. Off: random weights (which did not learn in 1,500 steps: results/detect-pretrain-attempts.jsonl).
   */
  pretrainedBackbone: { kind: 'boolean', label: 'Start from the pretrained backbone (width 0.5)', default: true },
  /**
   * Start from the viewer's detector of this encoder (the transformer pane for 'transformer', the conv pane for 'conv' and
   * 'dwconv'): every weight, so the run fine-tunes it, e.g. the shipped detector on an imported COCO / VOC set. The form's
   * architecture must be that detector's. Overrides pretrainedBackbone.
   */
  fineTune: { kind: 'boolean', label: 'Start from the viewer’s detector of this encoder (fine-tune it)', default: false },
  width: { label: 'Backbone width multiplier', min: 0.25, max: 1, default: 0.5, scale: 'linear', choices: [0.25, 0.5, 0.75, 1] },
  d: { label: 'Transformer width d', min: 32, max: 128, default: 64, scale: 'log', integer: true, choices: [32, 64, 128] },
  encoderLayers: { label: 'Encoder layers / blocks L', min: 1, max: 6, default: 2, scale: 'linear', integer: true },
  decoderLayers: { label: 'Decoder layers', min: 1, max: DETECT_MAX_DECODER_LAYERS, default: 2, scale: 'linear', integer: true },
  heads: { label: 'Attention heads', min: 1, max: 8, default: 4, scale: 'log', integer: true, choices: [1, 2, 4, 8] },
  /** FFN width of the encoder and decoder layers, as a multiple of d (DETR: 4 × d … 8 × d). */
  ffnRatio: { label: 'FFN width ÷ d', min: 1, max: 8, default: 4, scale: 'linear', integer: true },
  queries: { label: 'Object queries N', min: 1, max: 50, default: 20, scale: 'linear', integer: true },
  batchSize: { label: 'Batch size', min: 1, max: 32, default: 8, scale: 'log', integer: true },
  steps: { label: 'Training steps', min: 1, max: 100_000, default: 300, scale: 'log', integer: true },
  /** TECHNIQUES.md §4: 1e-4 (the backbone ×0.1), with the pretrained backbone; from a random one 1e-3 and ×1 were tried too. */
  lr: { label: 'Learning rate (AdamW)', min: 1e-6, max: 1e-2, default: 1e-4, scale: 'log', live: true },
  /**
   * lr multiplier of the backbone: DETR's 0.1, for a pretrained backbone (the default start, pretrainedBackbone). From a random
   * backbone neither 0.1 nor 1 learned in ~1,000 steps on the built-in scenes (results/detect-pretrain-attempts.jsonl).
   */
  backboneLr: { label: 'Backbone lr multiplier', min: 0.01, max: 1, default: 0.1, scale: 'log' },
  weightDecay: { label: 'Weight decay (decoupled)', min: 0, max: 1e-2, default: 1e-4, scale: 'linear' },
  clip: { label: 'Gradient-norm clip', min: 0.01, max: 100, default: 0.1, scale: 'log', live: true },
  wCE: { label: 'CE weight', min: 0, max: 10, default: 1, scale: 'linear', live: true },
  wL1: { label: 'L1 box weight', min: 0, max: 20, default: 5, scale: 'linear', live: true },
  wGIoU: { label: 'GIoU weight', min: 0, max: 20, default: 2, scale: 'linear', live: true },
  eosCoef: { label: 'No-object weight', min: 0.01, max: 1, default: 0.1, scale: 'log', live: true },
  scoreThreshold: { label: 'Score threshold', min: 0.05, max: 0.99, default: 0.5, scale: 'linear', live: true },
  costClass: { label: 'Matching cost: class', min: 0, max: 10, default: 1, scale: 'linear' },
  costBbox: { label: 'Matching cost: L1', min: 0, max: 20, default: 5, scale: 'linear' },
  costGiou: { label: 'Matching cost: GIoU', min: 0, max: 20, default: 2, scale: 'linear' },
  evalEvery: { label: 'Evaluate every (steps)', min: 1, max: 10_000, default: 100, scale: 'log', integer: true },
  trainSize: { label: 'Training images', min: 8, max: 20_000, default: 500, scale: 'log', integer: true },
  testSize: { label: 'Validation images', min: 4, max: 5_000, default: 100, scale: 'log', integer: true },
  seed: { label: 'Seed', min: 0, max: 2_147_483_647, default: 1, scale: 'linear', integer: true },
} as const;

export type DetectConfig = ConfigOf<typeof DETECT_FIELDS>;
export type DetectParamKey = NumberKeyOf<typeof DETECT_FIELDS>;
export type DetectLiveKey = LiveKeyOf<typeof DETECT_FIELDS>;

/** A box in pixels of its image: corners (x1, y1, x2, y2). `ignore`: a crowd / difficult region (AP neither rewards nor penalises it). */
export interface DetectPixelBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  ignore?: boolean;
}

/** One query's output: p_person, its box in pixels of the model's input, and (when asked) its last-layer cross-attention over the stride-32 map. */
export interface DetectQueryOutput {
  query: number;
  score: number;
  box: DetectPixelBox;
  /** Row-major over map.height × map.width, summing to 1 (averaged over heads). */
  attention?: Float32Array;
}

/** Params and MACs (per image) of one part of a detector. */
export interface DetectPartCost {
  part: 'backbone' | 'projection' | 'encoder' | 'decoder' | 'heads';
  params: number;
  macs: number;
}

/** A detector held by the viewer's zoo (one per slot). */
export interface DetectZooEntry {
  slot: DetectSlot;
  encoder: DetectEncoderName;
  encoderLayers: number;
  width: number;
  d: number;
  queries: number;
  params: number;
  macs: number;
  parts: DetectPartCost[];
  inputHeight: number;
  inputWidth: number;
  steps: number;
  seed: number;
  /** Validation AP@0.5 and AP@[.5:.95] (0–1) when it was trained; null when unknown. */
  ap50: number | null;
  ap: number | null;
  /** The validation score threshold with the best F1 at IoU 0.5 (the viewer's suggestion for this detector) and that F1; null when unknown. */
  scoreThreshold: number | null;
  f1: number | null;
  /** The dataset's name it was trained on. */
  dataset: string;
  /** 'shipped' (npm run pretrain:detect) or the id of the run that trained it. */
  origin: string;
  /** The model library's id (null or absent: shipped, or not kept). */
  modelId?: string | null;
  /** Its whole architecture as the form states one (the form's fine-tune check). */
  architecture: DetectArchitectureSummary;
}

/**
 * A detector's architecture as the lab's form can state it (flat, plain numbers): what a fine-tuning run's form is checked
 * against. The worker makes one from a held detector's architecture (each zoo entry carries it) and from the form's.
 */
export interface DetectArchitectureSummary {
  encoder: DetectEncoderName;
  width: number;
  d: number;
  encoderLayers: number;
  encoderHeads: number;
  encoderFfn: number;
  decoderLayers: number;
  heads: number;
  ffn: number;
  queries: number;
}

/** The architecture a config asks for (encoder and decoder share the form's heads and FFN width = ffnRatio · d). */
export function summaryOfConfig(config: DetectConfig): DetectArchitectureSummary {
  const ffn = config.ffnRatio * config.d;
  return {
    encoder: config.encoder,
    width: config.width,
    d: config.d,
    encoderLayers: config.encoderLayers,
    encoderHeads: config.heads,
    encoderFfn: ffn,
    decoderLayers: config.decoderLayers,
    heads: config.heads,
    ffn,
    queries: config.queries,
  };
}

/**
 * How a held detector's architecture differs from the form's, as "what the form says, what the detector has" phrases; empty
 * when a fine-tuning run can start from it. The worker refuses a run on these; the form warns with the same phrases first.
 */
export function architectureDifferences(held: DetectArchitectureSummary, form: DetectArchitectureSummary): string[] {
  const out: string[] = [];
  const cmp = (what: string, h: number | string, f: number | string) => {
    if (h !== f) out.push(`${what} ${f} in the form, ${h} in the detector`);
  };
  cmp('encoder', held.encoder, form.encoder);
  cmp('backbone width', held.width, form.width);
  cmp('d', held.d, form.d);
  if (form.encoder !== 'none') cmp('encoder layers', held.encoderLayers, form.encoderLayers);
  if (form.encoder === 'transformer') {
    // Not in the weights' shapes (a head count splits the same matrices), so copying the weights would not catch it.
    cmp('encoder heads', held.encoderHeads, form.encoderHeads);
    cmp('encoder FFN width', held.encoderFfn, form.encoderFfn);
  }
  cmp('decoder layers', held.decoderLayers, form.decoderLayers);
  cmp('heads', held.heads, form.heads);
  cmp('FFN width', held.ffn, form.ffn);
  cmp('queries', held.queries, form.queries);
  return out;
}

export interface DetectZooInfo {
  entries: DetectZooEntry[];
  /** Why shipped weights are missing (null when they loaded or are still loading). */
  shippedError: string | null;
  loading: boolean;
  /** A sentence about the latest finished run the zoo did not take (lower AP than the held one); null once the zoo changes. */
  notice?: string | null;
}

/** An image for the viewer, already fitted by the UI to the models' input size (RGB uint8, height × width × 3). */
export interface DetectViewerImage {
  rgb: Uint8Array;
  /** Ground-truth boxes in pixels of the fitted image (a built-in scene's, or none for an upload). */
  truth?: DetectPixelBox[] | null;
}

export interface DetectPredictRequest {
  images: DetectViewerImage[];
  /** Return each query's cross-attention map (for the hover overlay). */
  attention: boolean;
}

/** One zoo detector's output on one image: every query (the UI filters by its score threshold), and its inference time. */
export interface DetectPanePrediction {
  slot: DetectSlot;
  encoder: DetectEncoderName;
  queries: DetectQueryOutput[];
  /** Milliseconds of this detector's batch-1 forward pass and read-back. */
  ms: number;
  /** AP@0.5 against the image's truth boxes (all queries, COCO ranking); null without truth. */
  ap50: number | null;
}

export interface DetectPredictResult {
  height: number;
  width: number;
  /** The stride-32 map the attention covers. */
  map: { height: number; width: number };
  images: { predictions: DetectPanePrediction[] }[];
}

/** The built-in scenes' two styles: the classic ones (the shipped detectors' data) and the realistic ones. */
export const DETECT_SCENE_STYLES = ['classic', 'realistic'] as const;
export type DetectSceneStyle = (typeof DETECT_SCENE_STYLES)[number];

/** Built-in validation scenes for the viewer's picker. */
export interface DetectScenes {
  height: number;
  width: number;
  images: { index: number; rgb: Uint8Array; truth: DetectPixelBox[] }[];
}

/** One encoder's cost row: params and MACs per part at the config's sizes, and measured batch-1 inference latency. */
export interface DetectCostRow {
  encoder: DetectEncoderName;
  params: number;
  macs: number;
  parts: DetectPartCost[];
  /** Median ms of batch-1 inference (forward + read-back) on the current backend; null when not measured. */
  latencyMs: number | null;
}

export interface DetectCostReport {
  backend: string;
  inputHeight: number;
  inputWidth: number;
  rows: DetectCostRow[];
}

/** Predictions on a few validation images at one evaluation (the lab's live preview). */
export interface DetectPreview {
  step: number;
  height: number;
  width: number;
  images: { rgb: Uint8Array; truth: DetectPixelBox[]; queries: DetectQueryOutput[] }[];
}

/** The Detect lab's lab-only calls (EngineApi.call('detect', …)). */
export interface DetectCalls {
  /** The viewer's zoo (loads the shipped detectors on the first call). */
  zoo(): Promise<DetectZooInfo>;
  /** Put a model-library detector (its id) or the shipped one ('shipped') into a slot; refused with a sentence while a run is going or when it does not fit. */
  useInZoo(slot: DetectSlot, modelId: string): Promise<Outcome<{ zoo: DetectZooInfo }>>;
  /** Run every zoo detector on the images (batch 1 each, timed). */
  predict(request: DetectPredictRequest): Promise<Outcome<{ result: DetectPredictResult }>>;
  /** Built-in validation scenes `start … start + count − 1` with their boxes (the viewer's picker), classic (default) or realistic. */
  scenes(start: number, count: number, style?: DetectSceneStyle): Promise<Outcome<{ scenes: DetectScenes }>>;
  /**
   * Params and MACs per part of every encoder kind at the config's architecture, with measured batch-1 latency when `measure`;
   * refused while a run is going when `measure` (it would time both).
   */
  costs(config: DetectConfig, measure: boolean): Promise<Outcome<{ report: DetectCostReport }>>;
}

/** Loss series of decoder layer l (0-based, the last layer is the prediction). */
export const DETECT_LAYER_SERIES = Array.from({ length: DETECT_MAX_DECODER_LAYERS }, (_, l) => [
  `detect.loss.ce.${l}` as const,
  `detect.loss.l1.${l}` as const,
  `detect.loss.giou.${l}` as const,
]);

export const DETECT_LAB = defineLab({
  id: 'detect',
  title: 'Detect',
  fields: DETECT_FIELDS,
  series: [
    'train.loss',
    'train.lr',
    'step.ms',
    'detect.loss.ce.0',
    'detect.loss.l1.0',
    'detect.loss.giou.0',
    'detect.loss.ce.1',
    'detect.loss.l1.1',
    'detect.loss.giou.1',
    'detect.loss.ce.2',
    'detect.loss.l1.2',
    'detect.loss.giou.2',
    'detect.loss.ce.3',
    'detect.loss.l1.3',
    'detect.loss.giou.3',
    'detect.matched',
    'detect.gradNorm',
    'test.ap50',
    'test.ap',
    'test.recall20',
    'test.ap50.band0',
    'test.ap50.band1',
    'test.ap50.band2',
    'test.aboveThreshold',
    'test.bestF1',
    'test.f1Threshold',
  ],
  extras: {
    /** Predictions on the first validation images at the latest evaluation. */
    detectPreview: extra<DetectPreview, DetectPreview>((_prev, p) => p, { latestOnly: true }),
  },
  calls: phantom<DetectCalls>(),
  pushes: phantom<{ zoo: DetectZooInfo }>(),
});
