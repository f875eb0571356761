/** Datasets as the UI knows them: the list from the worker, the import in progress and its last failure. */
import type { StateCreator } from 'zustand';
import type { DatasetInfo, ImportProgressInfo } from '../protocol/datasets';
import type { EngineError } from '../protocol/events';
import type { WorkbenchState } from './index';

export interface ImportState {
  label: string;
  progress: ImportProgressInfo | null;
}

export interface DatasetSlice {
  datasets: DatasetInfo[];
  /** Whether the list came from the worker yet. */
  datasetsLoaded: boolean;
  importing: ImportState | null;
  importError: EngineError | null;
  setDatasets(list: DatasetInfo[]): void;
  beginImport(label: string): void;
  setImportProgress(p: ImportProgressInfo): void;
  endImport(error: EngineError | null): void;
}

export const createDatasetSlice: StateCreator<WorkbenchState, [], [], DatasetSlice> = (set) => ({
  datasets: [],
  datasetsLoaded: false,
  importing: null,
  importError: null,
  setDatasets: (datasets) => set({ datasets, datasetsLoaded: true }),
  beginImport: (label) => set({ importing: { label, progress: null }, importError: null }),
  setImportProgress: (progress) => set((s) => (s.importing ? { importing: { ...s.importing, progress } } : s)),
  endImport: (importError) => set({ importing: null, importError }),
});
