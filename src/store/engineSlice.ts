/** Engine state: which backend the worker got, whether it is (re)starting, user-facing notices. */
import type { StateCreator } from 'zustand';
import type { BackendInfo, BackendPreference } from '../protocol/backend';
import type { WorkbenchState } from './index';

export type EngineStatus = 'starting' | 'ready' | 'failed';

export interface Notice {
  id: number;
  kind: 'info' | 'warning' | 'error';
  text: string;
}

export interface EngineSlice {
  engineStatus: EngineStatus;
  backend: BackendInfo | null;
  backendPreference: BackendPreference;
  notices: Notice[];
  setEngineStatus(status: EngineStatus): void;
  setBackend(info: BackendInfo | null): void;
  setBackendPreference(p: BackendPreference): void;
  addNotice(kind: Notice['kind'], text: string): void;
  dismissNotice(id: number): void;
}

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
