import { memo, useMemo } from 'react';
import type { HyperparamChange } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { MetricChart, type ChartSeries } from '../../components/MetricChart';
import { formatPercent } from '../../format';
import { runLabel, type ClassifyRunRecord } from './runExport';
import { useClassifyRuns } from './useClassifyRuns';
import './runs.css';

const COLORS = ['#2563eb', '#dc2626'] as const;
const NO_MARKERS: readonly HyperparamChange[] = [];
const UNIT: [number, number] = [0, 1];
const percent = (v: number) => formatPercent(v, 0);

function lines(runs: readonly ClassifyRunRecord[], name: 'test.acc' | 'sparsity.channel', dots: boolean): ChartSeries[] {
  return runs.map((r, i) => ({ key: `run${i}`, label: runLabel(r), color: COLORS[i % COLORS.length]!, series: r.series[name], dots }));
}

/** The two runs picked in the table, overlaid: test accuracy and channel sparsity against step. */
export const RunsCompare = memo(function RunsCompare() {
  const runs = useClassifyRuns();
  const compareIds = useWorkbench((s) => s.compareIds);
  const picked = useMemo(
    () => compareIds.map((id) => runs.find((r) => r.id === id)).filter((r): r is ClassifyRunRecord => r !== undefined),
    [runs, compareIds],
  );
  const acc = useMemo(() => lines(picked, 'test.acc', true), [picked]);
  const sparsity = useMemo(() => lines(picked, 'sparsity.channel', false), [picked]);

  if (picked.length < 2) {
    return (
      <p className="runs-compare-hint" data-testid="runs.compare.hint">
        Tick “compare” on two runs to overlay their accuracy and sparsity curves{picked.length === 1 ? ' (one picked)' : ''}.
      </p>
    );
  }
  return (
    <section className="runs-charts" data-testid="runs.compare" aria-label="Comparison of two runs">
      <MetricChart testId="runs.compare.accuracy" title="Test accuracy vs step" lines={acc} markers={NO_MARKERS} yDomain={UNIT} yFormat={percent} />
      <MetricChart testId="runs.compare.sparsity" title="Channel sparsity vs step" lines={sparsity} markers={NO_MARKERS} yDomain={UNIT} yFormat={percent} />
    </section>
  );
});
