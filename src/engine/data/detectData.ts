/** The Detect lab's data (issue #12 item 1): the built-in person scenes, the dataset types, and the COCO / Pascal VOC importers. */
export type { DetectBox, DetectDataset, DetectSplit } from './detectDataset';
export {
  DETECT_MAX_PEOPLE,
  DETECT_SIZE,
  DETECT_VARIANTS,
  generateDetectDataset,
  planDetectScene,
  renderDetectScene,
  type DetectSceneExtras,
  type DetectScenePlan,
  type DetectVariant,
} from './detectScenes';
export { MIN_BOX_PIXELS, type PersonBox } from './streets';
export {
  BOX_TOLERANCE_PX,
  decodeDetectImages,
  detectSplitOf,
  importCocoPersons,
  importVocPersons,
  parseCocoPersons,
  parseVocPersons,
  type CocoPersons,
  type DecodeDetectOptions,
  type DecodedDetectImage,
  type DetectImport,
  type DetectImportFile,
  type DetectRecord,
  type ImageSize,
} from './import';
