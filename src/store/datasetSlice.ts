/** Datasets as the UI knows them: the list from the worker, the import in progress and its last failure. */
import type { StateCreator } from 'zustand';
import type { DatasetSlice, WorkbenchState } from './types';

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
