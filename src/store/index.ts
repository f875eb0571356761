/** The workbench store: one zustand store made of slices (their shapes are in types.ts). */
import { create } from 'zustand';
import { createConfigSlice } from './configSlice';
import { createDatasetSlice } from './datasetSlice';
import { createEngineSlice } from './engineSlice';
import { createLiveRunsSlice } from './liveRunsSlice';
import { createModelSlice } from './modelSlice';
import { createSavedRunsSlice } from './savedRunsSlice';
import type { WorkbenchState } from './types';

export const useWorkbench = create<WorkbenchState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createDatasetSlice(...a),
  ...createModelSlice(...a),
  ...createConfigSlice(...a),
  ...createLiveRunsSlice(...a),
  ...createSavedRunsSlice(...a),
}));

export type { WorkbenchState, RunState, RunRecord, AnyRunRecord, Series, Notice, EngineStatus, ImportState, RunsByLab, LabData } from './types';
export { configToHash, hashToConfig, backendFromSearch } from './urlState';
export { lastValue } from './runHistory';
export { divergence, runDivergence } from './divergence';
export { savedRunStatus } from './savedRunStatus';
export { activeRuns, installRunGuards } from './runGuards';
export { selectHpChanges, selectLast, selectSeries, sameItems } from './selectors';
