import { useMemo } from 'react';
import type { LabName } from '../../protocol';
import { runDivergence, useWorkbench } from '../../store';
import { isActive, useLabRun } from '../runStatus';
import { useThrottledValue } from '../useThrottledValue';

/** How often (at most) the live run's series are read again. */
const REFRESH_MS = 1000;

/**
 * A warning while a lab's run trains and its series say it diverged (loss NaN or 100× its lowest, test accuracy
 * below chance: store/divergence.ts), with the reason. Test id: `<prefix>.diverged`.
 */
export function DivergenceWarning({ lab, prefix }: { lab: LabName; prefix: string }) {
  const run = useLabRun(lab);
  const datasets = useWorkbench((s) => s.datasets);
  const series = useThrottledValue(run?.series, REFRESH_MS);
  const config = run?.config;
  const reason = useMemo(() => (config && series ? runDivergence({ config, series }, datasets) : null), [config, series, datasets]);
  if (!reason || !isActive(run?.status)) return null;
  return (
    <p className="notice notice-warning divergence-warning" role="alert" data-testid={`${prefix}.diverged`}>
      <strong>This run diverged.</strong> {reason} Try a lower learning rate.
    </p>
  );
}
