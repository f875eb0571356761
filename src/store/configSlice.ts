/** The settings forms: one config per lab, each the config its next run starts with (the open lab's is in the URL hash). */
import type { StateCreator } from 'zustand';
import { LABS, type LabConfigs } from '../protocol/labs';
import type { ConfigSlice, WorkbenchState } from './types';

const defaults = (): LabConfigs => Object.fromEntries(LABS.map((l) => [l.id, l.defaults()])) as LabConfigs;

export const createConfigSlice: StateCreator<WorkbenchState, [], [], ConfigSlice> = (set) => ({
  configs: defaults(),
  setConfig: (lab, partial) => set((s) => ({ configs: { ...s.configs, [lab]: { ...s.configs[lab], ...partial } } })),
  replaceConfig: (lab, config) => set((s) => ({ configs: { ...s.configs, [lab]: config } })),
});
