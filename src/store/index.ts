/** The workbench store: one zustand store made of slices. */
import { create } from 'zustand';
import { createConfigSlice, type ConfigSlice } from './configSlice';
import { createDatasetSlice, type DatasetSlice } from './datasetSlice';
import { createEngineSlice, type EngineSlice } from './engineSlice';
import { createRunSlice, type RunSlice } from './runSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createSegSlice, type SegSlice } from './segSlice';

export type WorkbenchState = EngineSlice & RunSlice & ConfigSlice & DatasetSlice & RunsSlice & SegSlice;

export const useWorkbench = create<WorkbenchState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createRunSlice(...a),
  ...createConfigSlice(...a),
  ...createDatasetSlice(...a),
  ...createRunsSlice(...a),
  ...createSegSlice(...a),
}));

export type { Series, RunState } from './runSlice';
export type { Notice, EngineStatus } from './engineSlice';
export type { ImportState } from './datasetSlice';
export { configToHash, hashToConfig, backendFromSearch } from './urlState';
export type { RunRecord, RunSummary } from './runRecord';
export type { SegRunState } from './segSlice';
export type { SegRunRecord } from './segRunHistory';
