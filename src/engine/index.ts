/** The engine's public API (runs in the worker and in Node). */
import './tfSetup';

export { initBackend, memorySnapshot, onDeviceLost } from './backend';
export { ClassifyTrainer } from './labs/classifyTrainer';
export type { TrainingSession, StepReport, Observation, SeriesValues, StepResult, EvalResult } from './labs/session';
export { TrainSession } from './labs/train/session';
export { PruneSession } from './labs/prune/session';
export { SegmentSession } from './labs/segment/session';
export { loadDataset } from './data/load';
export type { ImageDataset, ImageSplit } from './data/dataset';
export { SHAPE_CLASS_NAMES, generateShapesDataset } from './data/shapes';
export { FolderDatasetBuilder, ImportError, IMPORT_ERROR_CODES, importCifar, planImageFolder, readableChunks } from './data/import';
export type { ImportErrorCode } from './data/import';
export { PruneTrainer } from './labs/pruneTrainer';
export { pruneOptions } from './labs/pruneOptions';
export type { PruneSessionOptions, SparsityReport } from './labs/pruneOptions';
export { compactModel, maxAbsDiff } from './techniques/compaction';
export { modelCost } from './metrics/modelCost';
export { measureDetectLatency, measureLatency } from './metrics/latency';
export { serializeModel, loadModel } from './models/serialize';
export type { Classifier } from './models/model';
export { evaluateSplit, logitsOf } from './metrics/evaluate';
export { channelStats, type ChannelStats } from './data/batcher';
export { disposeParams } from './models/params';
export { averageParamStores } from './models/averageWeights';
export { recalibrateBnStatistics } from './labs/prune/bnRecalibration';
// Segment lab (TECHNIQUES.md §2)
export { SegTrainer, segHyperparamsOf, evaluateSegModel, polyLr, CLASS_WEIGHT_CAP } from './labs/segTrainer';
export { medianFrequencyWeights } from './data/classBalance';
export type { SegHyperparams, SegSessionOptions } from './labs/segTrainer';
export { segImagesTensor } from './data/segBatcher';
export type { SegDataset } from './data/segDataset';
export { segCost } from './models/seg/segModel';
export type { SegModel } from './models/seg/segModel';
export { loadSegModel, serializeSegModel } from './models/seg/segSerialize';
export type { SegProvenance } from './models/seg/segSerialize';
export { confusionMatrix, segScores } from './metrics/segMetrics';
export { contrastRecall, type ContrastRecall } from './metrics/contrastRecall';
export { createSegModel } from './models/seg/registry';
export type { SegSplit } from './data/segDataset';
export {
  generateStreetDataset,
  streetDatasetName,
  STREET_CLASSES,
  STREET_PALETTE,
  STREET_SIZES,
  STREET_STYLES,
  type StreetSize,
  type StreetStyle,
} from './data/streets';
export { SEG_FORMATS, SEG_FORMAT_IDS, type SegFormatId } from './data/import/segFormats';
export { importSegPairs, readLabelPng, resizeBilinearRgb, resizeNearest, type DecodedRgba } from './data/import/segImport';
// Prune lab internals the headless scripts drive directly
export { channelSparsity } from './metrics/channelSparsity';
export type { PruneHyperparams } from './labs/pruneOptions';
// Where the wasm binaries are served from (the worker and the bench worker pass it to initBackend)
export { WASM_PATHS } from './wasm/wasmAssets';
// Affinity lab (TECHNIQUES.md §3)
export { AffinitySession } from './labs/affinity/session';
export { AffinityTrainer } from './labs/affinity/trainer';
export type { AffinityTrainerOptions, AffinityHyperparams } from './labs/affinity/trainer';
export { createAffinityNet, affinityNetCost } from './models/affinity/affinityNet';
export type { AffinityNet, AffinityArchitecture } from './models/affinity/affinityNet';
export { serializeAffinityNet, loadAffinityNet } from './models/affinity/affinitySerialize';
export { faLoss, ffaLoss, gaussianZ, affinityMatrix, rowL21Estimate } from './techniques/affinity';
export { affinityTrainerOptions } from './labs/affinity/options';
export { measureAffinityCost, type AffinityCostRow } from './metrics/affinityCost';
// ONNX export of every trained model (issue #14): opset 13, NCHW input, logits output, normalisation in metadata_props
export { exportOnnx, buildOnnx, ONNX_METADATA_KEYS, type ExportableModel, type OnnxExportOptions } from './export/exportOnnx';
export { readWeights, type WeightMap } from './export/onnxLayers';
export { ONNX_OPSET } from './export/onnxGraph';
// The model library (issue #14): the file formats' ids, to tell a stored or imported model's kind, and the Segment lab's fixed input normalisation
export { MODEL_FORMAT, MAX_MODEL_INPUT_SIZE, MAX_MODEL_SCALARS } from './models/serialize';
export { SEG_MODEL_FORMAT } from './models/seg/segSerialize';
export { AFFINITY_MODEL_FORMAT } from './models/affinity/affinitySerialize';
export { SEG_MEAN, SEG_STD } from './data/segBatcher';
// Detect lab math (TECHNIQUES.md §4, issue #12): boxes, Hungarian matching, DETR loss, sine positional encoding; AdamW; COCO AP
export * from './detect';
export { AdamW, DEFAULT_ADAMW, type AdamWSettings, type AdamWParamOptions } from './optim/adamw';
export { detectionAP, averagePrecision, bestF1Threshold, recallAt, COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS } from './metrics/detectionAP';
export type { Detection, GroundTruth, DetectionScores, F1Threshold, SizeRange } from './metrics/detectionAP';
export * from './models/detect';
// Detect lab training (issue #12 item 3): the two-pass-matching DETR trainer, AP evaluation, the viewer's prediction
export {
  DetectTrainer,
  DEFAULT_DETECT_HYPERPARAMS,
  copyDetectorWeights,
  evaluateDetector,
  heightBandScores,
  predictDetections,
  toPixels,
} from './labs/detectTrainer';
export { BackbonePretrainer, copyBackboneWeights, generateDetectPretextSplit, subsampleLabels, PRETEXT_STRIDE } from './detect/backbonePretrain';
export type {
  DetectEvalResult,
  DetectHyperparams,
  DetectLayerLoss,
  DetectMatchCheck,
  DetectPrediction,
  DetectPredictResult,
  DetectStepResult,
  DetectTrainerOptions,
  HeightBandScores,
} from './labs/detectTrainer';
export { DetectSession, type DetectSessionOptions } from './labs/detect/session'; // Detect lab session (issue #12)
export * from './data/detectData'; // Detect lab data (issue #12 item 1): built-in person scenes, COCO/VOC person import
export { importOnnx, MAX_ONNX_ARCHITECTURE_NUMBER, type ImportedOnnx, type OnnxModelFormat } from './export/importOnnx'; // ONNX import (issue #14 item 5)
export { cropPixels, layoutPriorConfusion, streetMapping, streetMappingRefusal, toStreetLabels, STREET_MAPPABLE_FORMATS } from './metrics/realSeg';
export { planSegPairs, detectSegFormat } from './data/import/segPairs';
export { profileKernels, PHASES, type KernelProfile, type KernelStat, type PhaseStat, type Phase } from './profile/kernelProfile';
