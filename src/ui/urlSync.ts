/** Keep the store and the URL in step: the hash holds the run config, `?backend=` the backend override. */
import { backendFromSearch, configToHash, hashToConfig, useWorkbench } from '../store';
import type { BackendPreference } from '../protocol/backend';

/** Read the config and backend override from the URL into the store, reporting corrections. */
export function initFromUrl(): void {
  const s = useWorkbench.getState();
  if (location.hash.length > 1) {
    const { config, issues } = hashToConfig(location.hash);
    s.replaceConfig(config);
    for (const issue of issues) s.addNotice('warning', `Link settings: ${issue}`);
  }
  const { preference, issue } = backendFromSearch(location.search);
  if (preference) s.setBackendPreference(preference);
  if (issue) s.addNotice('warning', issue);
  writeHash();
  useWorkbench.subscribe((state, prev) => {
    if (state.config !== prev.config) writeHash();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === configToHash(useWorkbench.getState().config)) return;
    const { config, issues } = hashToConfig(location.hash);
    useWorkbench.getState().replaceConfig(config);
    for (const i of issues) useWorkbench.getState().addNotice('warning', `Link settings: ${i}`);
  });
}

function writeHash(): void {
  const hash = configToHash(useWorkbench.getState().config);
  if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
}

/** Put the backend override in the query string (or remove it for 'auto'). */
export function writeBackendParam(p: BackendPreference): void {
  const params = new URLSearchParams(location.search);
  if (p === 'auto') params.delete('backend');
  else params.set('backend', p);
  const q = params.toString();
  history.replaceState(null, '', `${location.pathname}${q ? `?${q}` : ''}${location.hash}`);
}

/** The open lab from `?lab=` (null when absent). */
export function readTabParam(): string | null {
  return new URLSearchParams(location.search).get('lab');
}

/** Put the open lab in the query string (null removes it), so a reload reopens it. */
export function writeTabParam(tab: string | null): void {
  const params = new URLSearchParams(location.search);
  if (tab === null) params.delete('lab');
  else params.set('lab', tab);
  const q = params.toString();
  history.replaceState(null, '', `${location.pathname}${q ? `?${q}` : ''}${location.hash}`);
}
