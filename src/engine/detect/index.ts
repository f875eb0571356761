/** The Detect lab's math (TECHNIQUES.md §4): boxes, Hungarian matching, DETR's loss, sine positional encoding. */
export { GIOU_EPS, area, cxcywhToXyxy, cxcywhToXyxyTensor, giou, giouTensor, intersection, iou, type Box } from './boxes';
export {
  DEFAULT_MATCH_COST,
  assignMinCost,
  hungarianMatch,
  hungarianMatchLayers,
  hungarianMatchValues,
  matchCostMatrix,
  type ImageMatch,
  type MatchCostWeights,
} from './matching';
export {
  DEFAULT_DETR_LOSS,
  detrAuxLoss,
  detrLoss,
  numGtBoxes,
  type DetrAuxLoss,
  type DetrLayerOutput,
  type DetrLossTerms,
  type DetrLossWeights,
} from './detrLoss';
export { sinePositionalEncoding, sinePositionalEncodingTensor } from './positional';
export {
  DetectBatcher,
  LETTERBOX_GREY,
  LETTERBOX_MIN_SCALE,
  boxTuple,
  checkDetectSplit,
  flipBox,
  gatherDetectBatch,
  letterboxImage,
  targetBoxes,
  type DetectBatch,
} from './detectBatch';
