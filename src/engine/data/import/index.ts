/** Importers of real dataset files (CIFAR-10/100 binary): the API the worker uses. */
export { importCifar } from './cifar';
export type { CifarImportOptions, CifarInputFile, CifarSource } from './cifar';
export { readableChunks } from './byteStream';
export { IMPORT_ERROR_CODES, ImportError } from './importError';
export type { ImportErrorCode } from './importError';
