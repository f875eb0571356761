/** The saved runs of the classification labs (Train and Prune), newest first: what the Prune lab's table, scatter and overlay show. */
import { useMemo } from 'react';
import { useWorkbench } from '../../../store';
import type { ClassifyRunRecord } from './runExport';

export function useClassifyRuns(): ClassifyRunRecord[] {
  const all = useWorkbench((s) => s.savedRuns);
  return useMemo(() => all.filter((r): r is ClassifyRunRecord => r.lab === 'train' || r.lab === 'prune'), [all]);
}
