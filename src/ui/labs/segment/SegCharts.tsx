import { memo, useMemo } from 'react';
import type { HyperparamChange } from '../../../protocol';
import { MetricChart } from '../../components/MetricChart';
import { formatPercent } from '../../format';
import { useLiveRunSeries } from '../../useLiveValue';

const UNIT: [number, number] = [0, 1];
const percent = (v: number) => formatPercent(v, 0);

interface Props {
  markers: readonly HyperparamChange[];
}

/** Validation mIoU, pixel accuracy, the loss terms and engine memory against step, with hyperparameter markers. */
export const SegCharts = memo(function SegCharts({ markers }: Props) {
  const series = useLiveRunSeries('segment');
  const miou = useMemo(() => [{ key: 'miou', label: 'validation mIoU', color: '#7c3aed', dots: true, series: series?.['seg.miou'] }], [series]);
  const acc = useMemo(
    () => [
      { key: 'train', label: 'train (minibatch)', color: '#93c5fd', series: series?.['train.acc'] },
      { key: 'val', label: 'validation', color: '#dc2626', dots: true, series: series?.['seg.pixelAcc'] },
    ],
    [series],
  );
  const loss = useMemo(
    () => [
      { key: 'total', label: 'total', color: '#111827', series: series?.['train.loss'] },
      { key: 'ce', label: 'CE (OHEM)', color: '#2563eb', series: series?.['seg.loss.ce'] },
      { key: 'aux', label: 'aux (weighted)', color: '#059669', series: series?.['seg.loss.aux'] },
      { key: 'kd', label: 'KD (α·T²·KL)', color: '#d97706', series: series?.['seg.loss.kd'] },
      { key: 'affinity', label: 'affinity (weighted FA|FFA, 1/8)', color: '#db2777', series: series?.['seg.loss.affinity'] },
      { key: 'lovasz', label: 'Lovász-softmax (weighted)', color: '#7c3aed', series: series?.['seg.loss.lovasz'] },
      { key: 'val', label: 'validation CE', color: '#dc2626', dots: true, series: series?.['test.loss'] },
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
  const points = series?.['seg.miou']?.steps.length ?? 0;
  return (
    <div className="charts">
      <div className="seg-chart-slot" data-testid="seg.miou.chart" data-points={points}>
        <MetricChart testId="chart.seg.miou" title="Validation mIoU" markers={markers} yDomain={UNIT} yFormat={percent} lines={miou} />
      </div>
      <MetricChart testId="chart.seg.pixelAcc" title="Pixel accuracy" markers={markers} yDomain={UNIT} yFormat={percent} lines={acc} />
      <MetricChart testId="chart.seg.loss" title="Loss terms" markers={markers} lines={loss} />
      <MetricChart testId="chart.seg.memory" title="Engine memory" markers={markers} lines={memory} />
    </div>
  );
});
