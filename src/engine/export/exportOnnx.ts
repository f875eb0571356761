/**
 * ONNX export of every model the workbench trains (issue #14): VGG-16 / ResNet-18 (dense or compacted), the Segment
 * lab's teacher, tutor and students (bilinear or PixelShuffle upscaling) and the Affinity lab's EfficientNet-like nets.
 * One self-contained `.onnx` file: opset 13, weights embedded as initializers, input `input` float32 NCHW
 * `[N, 3, H, W]` (N symbolic, H×W the size the model was built for), output `logits` (`[N, K]` for classifiers,
 * `[N, K, H, W]` for segmentation). Layer conventions (padding, kernels, BN, resize, PixelShuffle): `onnxLayers.ts`.
 *
 * Normalisation is NOT folded into the graph: the graph computes exactly the engine's `forward` on already-normalised
 * input, and the normalisation is written in `metadata_props` (`input_mean`, `input_std` as JSON RGB triples on the
 * 0–1 pixel scale, `input_normalization` as a sentence): input = (pixel / 255 − mean) / std per channel. The Segment
 * lab's models always use the fixed ImageNet constants (`SEG_MEAN` / `SEG_STD`); a classifier's statistics belong to
 * its training split, so the caller passes them (`ChannelStats` of the session) — without them the metadata says
 * the normalisation was not recorded.
 */
import type { ChannelStats } from '../data/batcher';
import { SEG_MEAN, SEG_STD } from '../data/segBatcher';
import type { AffinityNet } from '../models/affinity/affinityNet';
import type { Classifier } from '../models/model';
import type { SegModel } from '../models/seg/segModel';
import { affinityGraph } from './affinityOnnx';
import { classifierGraph } from './classifyOnnx';
import { OnnxGraph } from './onnxGraph';
import { readWeights, type Ctx, type Value, type WeightMap } from './onnxLayers';
import { segGraph } from './segOnnx';

/** Any model the workbench trains. */
export type ExportableModel = Classifier | SegModel | AffinityNet;

export interface OnnxExportOptions {
  /** Per-channel mean/std on the 0–1 pixel scale the input was normalised with (default: the Segment lab's constants for seg models, none otherwise). */
  normalization?: ChannelStats;
  /** `producer_version` of the file (default '0.1.0'). */
  producerVersion?: string;
}

/** The `metadata_props` key names this exporter writes. */
export const ONNX_METADATA_KEYS = ['workbench.model', 'workbench.architecture', 'input', 'output', 'input_normalization', 'input_mean', 'input_std'] as const;

const isSeg = (m: ExportableModel): m is SegModel => 'model' in m.architecture && m.architecture.model.startsWith('seg-');
const isAffinity = (m: ExportableModel): m is AffinityNet => 'kind' in m.architecture && m.architecture.kind === 'affinity-net';

/** Input H×W the model was built for. */
function inputSize(model: ExportableModel): [number, number] {
  if (isSeg(model)) return [model.inputHeight, model.inputWidth];
  return [model.architecture.inputSize, model.architecture.inputSize];
}

function normalizationOf(model: ExportableModel, opts: OnnxExportOptions): ChannelStats | undefined {
  if (opts.normalization) return opts.normalization;
  if (!isSeg(model)) return undefined;
  const scale = (v: readonly number[]) => v.map((x) => x / 255) as [number, number, number];
  return { mean: scale(SEG_MEAN), std: scale(SEG_STD) };
}

function metadata(model: ExportableModel, [h, w]: [number, number], norm: ChannelStats | undefined): Record<string, string> {
  const out = isSeg(model) ? `logits float32 NCHW [N, ${model.numClasses}, ${h}, ${w}]` : `logits float32 [N, ${model.numClasses}]`;
  const meta: Record<string, string> = {
    'workbench.model': model.name,
    'workbench.architecture': JSON.stringify(model.architecture),
    input: `input float32 NCHW [N, 3, ${h}, ${w}], RGB, normalised (see input_normalization)`,
    output: out,
  };
  if (!norm) {
    meta.input_normalization = 'not recorded: feed the input normalised as the model was trained';
    return meta;
  }
  meta.input_normalization = 'input = (pixel / 255 - mean) / std per RGB channel; not part of the graph';
  meta.input_mean = JSON.stringify(norm.mean);
  meta.input_std = JSON.stringify(norm.std);
  return meta;
}

/** Build the ONNX bytes of `model` from weights already read (`readWeights(model.store)`); synchronous. */
export function buildOnnx(model: ExportableModel, weights: WeightMap, opts: OnnxExportOptions = {}): Uint8Array {
  const g = new OnnxGraph();
  const ctx: Ctx = { g, weights };
  const [h, w] = inputSize(model);
  const x: Value = { name: g.addInput('input', ['N', 3, h, w]), c: 3, h, w };
  let logits: string;
  if (isSeg(model)) logits = segGraph(ctx, model, x).name;
  else if (isAffinity(model)) logits = affinityGraph(ctx, model, x);
  else logits = classifierGraph(ctx, model, x);
  const out = g.add('Identity', [logits], {}, 'logits');
  g.addOutput(out, isSeg(model) ? ['N', model.numClasses, h, w] : ['N', model.numClasses]);
  return g.encode({
    graphName: model.name,
    producerName: 'prune-distill-workbench',
    producerVersion: opts.producerVersion ?? '0.1.0',
    docString: `${model.name} exported by the Prune & Distill Workbench (inference mode, BN running statistics).`,
    metadata: metadata(model, [h, w], normalizationOf(model, opts)),
  });
}

/** Export `model` as one `.onnx` file (opset 13, NCHW input, logits output; see the file comment for the conventions). */
export async function exportOnnx(model: ExportableModel, opts: OnnxExportOptions = {}): Promise<Uint8Array> {
  return buildOnnx(model, await readWeights(model.store), opts);
}
