import { memo, useMemo } from 'react';
import type { HyperparamChange } from '../../../protocol';
import { MetricChart } from '../../components/MetricChart';
import { formatPercent } from '../../format';
import { useLiveRunSeries } from '../../useLiveValue';

const TRAIN = { key: 'train', label: 'train (minibatch)', color: '#2563eb' } as const;
const TEST = { key: 'test', label: 'test', color: '#dc2626', dots: true } as const;
const ACC_DOMAIN: [number, number] = [0, 1];
const percent = (v: number) => formatPercent(v, 0);

interface Props {
  markers: readonly HyperparamChange[];
}

/** Loss and accuracy against step, read 4 times a second; each chart redraws only when its own series changed. */
export const TrainCharts = memo(function TrainCharts({ markers }: Props) {
  const series = useLiveRunSeries('train');
  const loss = useMemo(
    () => [
      { ...TRAIN, series: series?.['train.loss'] },
      { ...TEST, series: series?.['test.loss'] },
    ],
    [series],
  );
  const acc = useMemo(
    () => [
      { ...TRAIN, series: series?.['train.acc'] },
      { ...TEST, series: series?.['test.acc'] },
    ],
    [series],
  );
  return (
    <div className="charts">
      <MetricChart testId="chart.loss" title="Loss (cross-entropy, log scale)" yScale="log" markers={markers} lines={loss} />
      <MetricChart testId="chart.accuracy" title="Accuracy" markers={markers} yDomain={ACC_DOMAIN} yFormat={percent} lines={acc} />
    </div>
  );
});
