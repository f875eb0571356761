/** The Detect lab's compact DETR (TECHNIQUES.md §4): MobileNetV3-Small backbone, encoders, DETR decoder and heads, costs. */
export { DETECT_ENCODERS, DEFAULT_DETECT_ARCHITECTURE, checkDetectArchitecture, detectArchitecture } from './detectArch';
export type { DetectArchitecture, DetectArchitectureOptions, DetectEncoderKind } from './detectArch';
export { buildDetector, detectCost, type DetectModel, type DetectOutput, type DetectPartCost } from './detector';
export { DETECT_PARTS, hardSigmoid, hardSwish, type DetectLayerCost, type DetectPart } from './detectBuilder';
export { MOBILENET_V3_SMALL, makeDivisible, mobileNetV3SmallSpecs, squeezeChannels, type BneckSpec } from './mobilenetV3';
export { LN_EPSILON } from './attention';
export { DETECT_MODEL_FORMAT, loadDetector, parseDetectModelJson, serializeDetector, type DetectModelJson } from './detectSerialize';
export { detectParamCount } from './detectParamCount';
