/** Engine state: which backend the worker got, whether it is (re)starting, user-facing notices. */
import type { StateCreator } from 'zustand';
import type { EngineSlice, WorkbenchState } from './types';

let nextNotice = 1;

export const createEngineSlice: StateCreator<WorkbenchState, [], [], EngineSlice> = (set) => ({
  engineStatus: 'starting',
  backend: null,
  backendPreference: 'auto',
  notices: [],
  setEngineStatus: (engineStatus) => set({ engineStatus }),
  setBackend: (backend) => set({ backend }),
  setBackendPreference: (backendPreference) => set({ backendPreference }),
  addNotice: (kind, text) => set((s) => (s.notices.some((n) => n.text === text) ? s : { notices: [...s.notices, { id: nextNotice++, kind, text }] })),
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});
