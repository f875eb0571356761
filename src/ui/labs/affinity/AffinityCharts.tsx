import { memo, useMemo } from 'react';
import { AFFINITY_TAPS, type HyperparamChange } from '../../../protocol';
import { MetricChart, type ChartSeries } from '../../components/MetricChart';
import { formatPercent } from '../../format';
import { useLiveRunSeries } from '../../useLiveValue';

const UNIT: [number, number] = [0, 1];
const percent = (v: number) => formatPercent(v, 0);
const STAGE_COLOURS: Record<number, string> = { 32: '#0891b2', 16: '#2563eb', 8: '#7c3aed', 4: '#db2777' };

interface Props {
  markers: readonly HyperparamChange[];
}

/** Affinity loss per stage (with the exact FA as a dashed shadow during FFA runs), the estimator's error, loss terms, accuracy, step time, memory. */
export const AffinityCharts = memo(function AffinityCharts({ markers }: Props) {
  const series = useLiveRunSeries('affinity');
  const stages = useMemo(
    () =>
      AFFINITY_TAPS.flatMap((t): ChartSeries[] => {
        const est = series?.[`affinity.stage.${t}`];
        if (!est) return [];
        const exact = series?.[`affinity.exact.${t}`];
        return [
          { key: `s${t}`, label: `${t}×${t}`, color: STAGE_COLOURS[t]!, series: est },
          ...(exact ? [{ key: `e${t}`, label: `${t}×${t} exact FA (shadow)`, color: STAGE_COLOURS[t]!, series: exact, dashed: true, dots: true }] : []),
        ];
      }),
    [series],
  );
  const relError = useMemo(() => [{ key: 'err', label: '|FFA − FA| / FA', color: '#b91c1c', dots: true, series: series?.['affinity.relError'] }], [series]);
  const terms = useMemo(
    () => [
      { key: 'total', label: 'total', color: '#111827', series: series?.['train.loss'] },
      { key: 'ce', label: 'CE_w · CE', color: '#2563eb', series: series?.['affinity.loss.ce'] },
      { key: 'kd', label: 'KD · L_KD', color: '#d97706', series: series?.['affinity.loss.kd'] },
      { key: 'fa', label: 'FA_w · Σ affinity', color: '#7c3aed', series: series?.['affinity.loss.fa'] },
    ],
    [series],
  );
  const acc = useMemo(
    () => [
      { key: 'train', label: 'train (minibatch)', color: '#93c5fd', series: series?.['train.acc'] },
      { key: 'test', label: 'test, student', color: '#dc2626', dots: true, series: series?.['test.acc'] },
      { key: 'teacher', label: 'test, teacher', color: '#6b7280', dashed: true, series: series?.['teacher.acc'] },
    ],
    [series],
  );
  const time = useMemo(() => [{ key: 'ms', label: 'ms per step', color: '#059669', series: series?.['step.ms'] }], [series]);
  const memory = useMemo(() => [{ key: 'mb', label: 'MB in tensors', color: '#0891b2', series: series?.['memory.mb'] }], [series]);
  const points = series?.['affinity.loss.fa']?.steps.length ?? 0;
  return (
    <div className="charts">
      <div data-testid="affinity.loss" data-points={points}>
        <MetricChart testId="chart.affinity.stages" title="Affinity loss per stage" markers={markers} lines={stages} yScale="log" />
      </div>
      <MetricChart testId="chart.affinity.relError" title="FFA estimator: relative error against the exact FA" markers={markers} lines={relError} />
      <MetricChart testId="chart.affinity.terms" title="Loss terms" markers={markers} lines={terms} />
      <MetricChart testId="chart.affinity.accuracy" title="Accuracy" markers={markers} lines={acc} yDomain={UNIT} yFormat={percent} />
      <MetricChart testId="chart.affinity.time" title="Step time" markers={markers} lines={time} />
      <MetricChart testId="chart.affinity.memory" title="Engine memory" markers={markers} lines={memory} />
    </div>
  );
});
