/** Importers of real dataset files (CIFAR-10/100 binary): the API the worker uses. */
export { importCifar } from './cifar';
export type { CifarBytesFile, CifarImportOptions, CifarInputFile, CifarSource, CifarStreamFile } from './cifar';
export { readableChunks } from './byteStream';
export { IMPORT_ERROR_CODES, ImportError } from './importError';
export type { ImportErrorCode } from './importError';
export { FolderDatasetBuilder, planImageFolder } from './imageFolder';
export type { FolderItem, FolderPlan } from './imageFolder';
export { BOX_TOLERANCE_PX, decodeDetectImages, detectSplitOf, importCocoPersons, importVocPersons, parseCocoPersons, parseVocPersons } from './detectImport';
export type { CocoPersons, DecodeDetectOptions, DecodedDetectImage, DetectImport, DetectImportFile, DetectRecord, ImageSize } from './detectImport';
