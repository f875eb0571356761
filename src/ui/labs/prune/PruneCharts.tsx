import { memo, useMemo } from 'react';
import type { HyperparamChange } from '../../../protocol';
import { MetricChart } from '../../components/MetricChart';
import { formatPercent } from '../../format';
import { useLiveRunSeries } from '../../useLiveValue';

const UNIT: [number, number] = [0, 1];
const percent = (v: number) => formatPercent(v, 0);

interface Props {
  markers: readonly HyperparamChange[];
  rgsm: boolean;
}

/** Channel/weight sparsity, accuracy (on u, on u with recalibrated BN statistics, and on w) and loss against step, with hyperparameter markers. */
export const PruneCharts = memo(function PruneCharts({ markers, rgsm }: Props) {
  const series = useLiveRunSeries('prune');
  const sparsity = useMemo(
    () => [
      { key: 'channel', label: `channel sparsity${rgsm ? ' (on u)' : ''}`, color: '#7c3aed', series: series?.['sparsity.channel'] },
      { key: 'weight', label: 'weight sparsity', color: '#059669', series: series?.['sparsity.weight'] },
    ],
    [series, rgsm],
  );
  const acc = useMemo(
    () => [
      { key: 'train', label: 'train (minibatch)', color: '#93c5fd', series: series?.['train.acc'] },
      { key: 'test', label: rgsm ? 'test on u' : 'test', color: '#dc2626', dots: true, series: series?.['test.acc'] },
      ...(rgsm ? [{ key: 'testW', label: 'test on w', color: '#f59e0b', dots: true, series: series?.['test.accW'] }] : []),
      ...(rgsm && series?.['test.accURecal']
        ? [{ key: 'testURecal', label: 'test on u, BN recalibrated', color: '#16a34a', dots: true, series: series['test.accURecal'] }]
        : []),
    ],
    [series, rgsm],
  );
  const loss = useMemo(
    () => [
      { key: 'train', label: 'train CE', color: '#2563eb', series: series?.['train.loss'] },
      { key: 'test', label: 'test CE', color: '#dc2626', dots: true, series: series?.['test.loss'] },
    ],
    [series],
  );
  const memory = useMemo(
    () => [
      { key: 'mb', label: 'MB in tensors', color: '#0891b2', series: series?.['memory.mb'] },
      { key: 'gpu', label: 'MB of GPU buffers allocated (webgpu)', color: '#be123c', series: series?.['memory.gpuAllocatedMb'] },
    ],
    [series],
  );
  const tensors = series?.['memory.tensors']?.values;
  return (
    <div className="charts">
      <MetricChart testId="chart.sparsity" title="Sparsity against step" markers={markers} yDomain={UNIT} yFormat={percent} lines={sparsity} />
      <MetricChart testId="chart.accuracy" title="Accuracy" markers={markers} yDomain={UNIT} yFormat={percent} lines={acc} />
      <MetricChart testId="chart.loss" title="Loss (cross-entropy, log scale)" yScale="log" markers={markers} lines={loss} />
      <MetricChart
        testId="chart.memory"
        title={`Engine memory${tensors?.length ? ` · ${tensors.at(-1)} tensors (min ${Math.min(...tensors.slice(-200))}, max ${Math.max(...tensors.slice(-200))} over the last 200 steps)` : ''}`}
        markers={markers}
        lines={memory}
      />
    </div>
  );
});
