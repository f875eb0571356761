/** Run statuses as the UI reads them, and each lab's live run and config from the store. */
import type { LabConfig, LabName, RunStatus } from '../protocol';
import { useWorkbench, type RunState } from '../store';

const ACTIVE: readonly RunStatus[] = ['preparing', 'running', 'paused'];

/** Whether a run with this status holds the engine (Start is off, structure settings lock). */
export function isActive(status: RunStatus | undefined | null): boolean {
  return status != null && ACTIVE.includes(status);
}

/** The latest run of `lab` (null before its first). */
export function useLabRun<L extends LabName>(lab: L): RunState<L> | null {
  return useWorkbench((s) => s.runs[lab]) as RunState<L> | null;
}

/** The config the next run of `lab` starts with. */
export function useLabConfig<L extends LabName>(lab: L): LabConfig<L> {
  return useWorkbench((s) => s.configs[lab]) as LabConfig<L>;
}

/** The lab whose run holds the engine, if any. */
export function useActiveLab(): LabName | null {
  return useWorkbench((s) => (Object.values(s.runs).find((r) => r !== null && isActive(r.status))?.lab as LabName | undefined) ?? null);
}

/** Whether `lab`'s run holds the engine (a boolean subscription: an engine event that keeps it re-renders nothing). */
export function useLabActive(lab: LabName): boolean {
  return useWorkbench((s) => isActive(s.runs[lab]?.status));
}
