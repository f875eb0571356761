/** The model library as the UI knows it: the worker's list, set once after the engine starts and by every `models` event. */
import type { StateCreator } from 'zustand';
import type { ModelSlice, WorkbenchState } from './types';

export const createModelSlice: StateCreator<WorkbenchState, [], [], ModelSlice> = (set) => ({
  models: [],
  modelsLoaded: false,
  setModels: (models) => set({ models, modelsLoaded: true }),
});
