/** The page's one chain driver over the engine client, the workbench store and localStorage, and the hook that follows it. */
import { useSyncExternalStore } from 'react';
import { getEngine } from '../../../client';
import { LAB_NAMES } from '../../../protocol/labs';
import { useWorkbench } from '../../../store';
import { isActive } from '../../runStatus';
import type { ChainState } from './chain';
import { ChainDriver, type ChainHost } from './chainDriver';

/** The localStorage key of the chain's state. */
export const CHAIN_STORAGE_KEY = 'pdw-seg-chain';

function workbenchHost(): ChainHost {
  const store = useWorkbench;
  return {
    start(config) {
      void getEngine().start('segment', config);
      // The client registers the run (beginRun) before it awaits the worker.
      return store.getState().runs.segment!.id;
    },
    stop: () => getEngine().stop(),
    run() {
      const r = store.getState().runs.segment;
      return r ? { id: r.id, status: r.status, progress: r.progress, error: r.error, hpChanges: r.hpChanges } : null;
    },
    anyActive: () => LAB_NAMES.some((l) => isActive(store.getState().runs[l]?.status)),
    subscribe: (listener) => store.subscribe(listener),
    async zoo() {
      const zoo = await getEngine().call('segment', 'zoo', []);
      store.getState().setPush({ lab: 'segment', name: 'zoo', value: zoo });
      return zoo;
    },
    keptModel: (runId) => store.getState().models.find((m) => m.lab === 'segment' && m.provenance.runId === runId)?.id ?? null,
    async useInZoo(size, slot, modelId) {
      const r = await getEngine().call('segment', 'useInZoo', [size, slot, modelId]);
      if (!r.ok) return r.error.message;
      store.getState().setPush({ lab: 'segment', name: 'zoo', value: r.zoo });
      return null;
    },
    load() {
      try {
        return localStorage.getItem(CHAIN_STORAGE_KEY);
      } catch {
        return null;
      }
    },
    save(text) {
      try {
        if (text === null) localStorage.removeItem(CHAIN_STORAGE_KEY);
        else localStorage.setItem(CHAIN_STORAGE_KEY, text);
      } catch {
        // No storage (private mode, quota): the chain runs, it just does not survive a reload.
      }
    },
    now: () => Date.now(),
  };
}

let driver: ChainDriver | null = null;

/** The chain driver of this page (made on first use: it follows the store from then on, whichever tab is open). */
export function segChain(): ChainDriver {
  driver ??= new ChainDriver(workbenchHost());
  return driver;
}

/** The chain's state, re-rendering on each change. */
export function useSegChain(): ChainState | null {
  const d = segChain();
  return useSyncExternalStore(d.subscribe, d.getState);
}
