/**
 * Keep the store and the URL in step: `?lab=` names the open tab, the hash holds the open lab's run
 * config (a shareable experiment), `?backend=` the backend override.
 */
import { configToHash, hashToConfig, isLabName, type LabName } from '../protocol/labs';
import type { BackendPreference } from '../protocol/backend';
import { backendFromSearch, useWorkbench } from '../store';

/** The lab whose config the hash holds: the open lab, or on a tab that is not a lab (Data) the default tab's lab. */
let hashLab: LabName | null = null;
let fallbackLab: LabName | null = null;
const labOfTab = (tab: string): LabName | null => (isLabName(tab) ? tab : fallbackLab);

/** Read `?lab=`'s config from the hash and the backend override into the store, reporting corrections. */
export function initFromUrl(defaultTab: string): void {
  const s = useWorkbench.getState();
  fallbackLab = isLabName(defaultTab) ? defaultTab : null;
  hashLab = labOfTab(readTabParam() ?? defaultTab);
  if (hashLab && location.hash.length > 1) readHash(hashLab);
  const { preference, issue } = backendFromSearch(location.search);
  if (preference) s.setBackendPreference(preference);
  if (issue) s.addNotice('warning', issue);
  writeHash();
  useWorkbench.subscribe((state, prev) => {
    if (hashLab && state.configs[hashLab] !== prev.configs[hashLab]) writeHash();
  });
  window.addEventListener('hashchange', () => {
    if (!hashLab || location.hash === configToHash(useWorkbench.getState().configs[hashLab])) return;
    readHash(hashLab);
  });
}

function readHash(lab: LabName): void {
  const { config, issues } = hashToConfig(lab, location.hash);
  const s = useWorkbench.getState();
  s.replaceConfig(lab, config);
  for (const issue of issues) s.addNotice('warning', `Link settings: ${issue}`);
}

function writeHash(): void {
  const hash = hashLab ? configToHash(useWorkbench.getState().configs[hashLab]) : '';
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

/** The open tab from `?lab=` (null when absent). */
export function readTabParam(): string | null {
  return new URLSearchParams(location.search).get('lab');
}

/** A tab was opened: `?lab=` names it (null removes it: the default tab), and the hash shows its config. */
export function openTabInUrl(tab: string, isDefault: boolean): void {
  const params = new URLSearchParams(location.search);
  if (isDefault) params.delete('lab');
  else params.set('lab', tab);
  const q = params.toString();
  hashLab = labOfTab(tab);
  history.replaceState(null, '', `${location.pathname}${q ? `?${q}` : ''}${location.hash}`);
  writeHash();
}
