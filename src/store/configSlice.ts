/** The settings form: the config the next run starts with (mirrored in the URL hash). */
import type { StateCreator } from 'zustand';
import { defaultConfig, type TrainConfig } from '../protocol/config';
import type { WorkbenchState } from './index';

export interface ConfigSlice {
  config: TrainConfig;
  setConfig(partial: Partial<TrainConfig>): void;
  replaceConfig(config: TrainConfig): void;
}

export const createConfigSlice: StateCreator<WorkbenchState, [], [], ConfigSlice> = (set) => ({
  config: defaultConfig(),
  setConfig: (partial) => set((s) => ({ config: { ...s.config, ...partial } })),
  replaceConfig: (config) => set({ config }),
});
