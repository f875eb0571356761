/** The engine's public API (runs in the worker and in Node). */
import './tfSetup';

export { initBackend, onDeviceLost } from './backend';
export { ClassifyTrainer } from './labs/classifyTrainer';
export type { TrainingSession, StepResult, EvalResult } from './labs/session';
export { loadDataset } from './data/load';
export type { ImageDataset, ImageSplit } from './data/dataset';
export { SHAPE_CLASS_NAMES, generateShapesDataset } from './data/shapes';
export { FolderDatasetBuilder, ImportError, IMPORT_ERROR_CODES, importCifar, planImageFolder, readableChunks } from './data/import';
export type { ImportErrorCode } from './data/import';
