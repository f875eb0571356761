/** The workbench store: one zustand store made of slices. */
import { create } from 'zustand';
import { createConfigSlice, type ConfigSlice } from './configSlice';
import { createEngineSlice, type EngineSlice } from './engineSlice';
import { createRunSlice, type RunSlice } from './runSlice';

export type WorkbenchState = EngineSlice & RunSlice & ConfigSlice;

export const useWorkbench = create<WorkbenchState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createRunSlice(...a),
  ...createConfigSlice(...a),
}));

export type { Series, RunState } from './runSlice';
export type { Notice, EngineStatus } from './engineSlice';
export { configToHash, hashToConfig, backendFromSearch } from './urlState';
