/**
 * The model library as the UI knows it: the worker's list, set once after the engine starts and by every `models` event;
 * and the navigation between a library row and the labs (open a tab, show a model's row, evaluate a model in Prune).
 */
import type { StateCreator } from 'zustand';
import type { ModelSlice, WorkbenchState } from './types';

let nonce = 0;

export const createModelSlice: StateCreator<WorkbenchState, [], [], ModelSlice> = (set) => ({
  models: [],
  modelsLoaded: false,
  setModels: (models) => set({ models, modelsLoaded: true }),
  tabRequest: null,
  requestTab: (tab, scrollTo = null) => set({ tabRequest: { tab, scrollTo, nonce: ++nonce } }),
  modelFocus: null,
  showModel: (id) => set({ modelFocus: { id, nonce: ++nonce }, tabRequest: { tab: 'data', scrollTo: null, nonce: ++nonce } }),
  modelToEvaluate: null,
  evaluateModel: (id) => set({ modelToEvaluate: { id, nonce: ++nonce }, tabRequest: { tab: 'prune', scrollTo: 'prune.load.panel', nonce: ++nonce } }),
});
