import { memo, useMemo } from 'react';
import type { HyperparamChange, SeriesName } from '../../../protocol';
import { DETECT_MAX_DECODER_LAYERS, PERSON_HEIGHT_BAND_LABELS } from '../../../protocol/labs/detect';
import { MetricChart, type ChartSeries } from '../../components/MetricChart';
import { formatPercent } from '../../format';
import { useLiveRunSeries } from '../../useLiveValue';

const UNIT: [number, number] = [0, 1];
const percent = (v: number) => formatPercent(v, 0);
/** One hue per loss term, lighter for earlier decoder layers (the last layer, the prediction, is the darkest and solid). */
const TERM_COLOURS = {
  ce: ['#bfdbfe', '#93c5fd', '#3b82f6', '#1d4ed8'],
  l1: ['#fed7aa', '#fdba74', '#f97316', '#c2410c'],
  giou: ['#bbf7d0', '#86efac', '#22c55e', '#15803d'],
} as const;
const TERM_LABELS = { ce: 'CE', l1: 'L1', giou: 'GIoU' } as const;
/** One shade per person height band (PERSON_HEIGHT_BAND_LABELS), far to near, light to dark. */
const BAND_COLOURS = ['#fca5a5', '#ef4444', '#991b1b'] as const;
/** The series of a loss term at decoder layer l (0-based): `detect.loss.<term>.<l>`, as the spec declares them. */
const termSeries = (term: keyof typeof TERM_LABELS, l: number) => `detect.loss.${term}.${l}` as SeriesName;

interface Props {
  markers: readonly HyperparamChange[];
  /** Decoder layers of the run (one line per layer and term). */
  layers: number;
}

/** Loss terms per decoder layer, validation AP, recall and matched queries, total loss and gradient norm, step time, memory. */
export const DetectCharts = memo(function DetectCharts({ markers, layers }: Props) {
  const series = useLiveRunSeries('detect');
  const terms = useMemo(() => {
    const n = Math.max(1, Math.min(layers, DETECT_MAX_DECODER_LAYERS));
    return Array.from({ length: n }, (_, l) => l).flatMap((l): ChartSeries[] => {
      const shade = 3 - (n - 1 - l); // the last layer gets the darkest shade
      const last = l === n - 1;
      const name = (t: keyof typeof TERM_LABELS) => `${TERM_LABELS[t]} layer ${l + 1}${last ? ' (output)' : ''}`;
      return [
        { key: `ce${l}`, label: name('ce'), color: TERM_COLOURS.ce[Math.max(0, shade)]!, series: series?.[termSeries('ce', l)], dashed: !last },
        { key: `l1${l}`, label: name('l1'), color: TERM_COLOURS.l1[Math.max(0, shade)]!, series: series?.[termSeries('l1', l)], dashed: !last },
        { key: `giou${l}`, label: name('giou'), color: TERM_COLOURS.giou[Math.max(0, shade)]!, series: series?.[termSeries('giou', l)], dashed: !last },
      ];
    });
  }, [series, layers]);
  const ap = useMemo(
    () => [
      { key: 'ap50', label: 'AP@0.5', color: '#dc2626', dots: true, series: series?.['test.ap50'] },
      { key: 'ap', label: 'AP@[.5:.95]', color: '#7c3aed', dots: true, series: series?.['test.ap'] },
      { key: 'recall', label: 'recall@20 queries (IoU 0.5)', color: '#0891b2', dots: true, dashed: true, series: series?.['test.recall20'] },
      { key: 'f1', label: 'best F1 (IoU 0.5)', color: '#16a34a', dots: true, series: series?.['test.bestF1'] },
      { key: 'f1t', label: 'its score threshold (the viewer’s suggestion)', color: '#9ca3af', dots: true, dashed: true, series: series?.['test.f1Threshold'] },
    ],
    [series],
  );
  const bands = useMemo(
    () =>
      PERSON_HEIGHT_BAND_LABELS.map((label, i) => ({
        key: `band${i}`,
        label: `AP@0.5, people ${label} of the frame's height`,
        color: BAND_COLOURS[i]!,
        dots: true,
        series: series?.[`test.ap50.band${i}` as SeriesName],
      })),
    [series],
  );
  const matched = useMemo(
    () => [
      { key: 'matched', label: 'matched queries in the batch (output layer)', color: '#059669', series: series?.['detect.matched'] },
      { key: 'above', label: 'boxes per validation image above the threshold', color: '#d97706', dots: true, series: series?.['test.aboveThreshold'] },
    ],
    [series],
  );
  const total = useMemo(
    () => [
      { key: 'loss', label: 'total weighted loss (all layers)', color: '#111827', series: series?.['train.loss'] },
      { key: 'grad', label: 'gradient norm before clipping', color: '#be123c', series: series?.['detect.gradNorm'] },
    ],
    [series],
  );
  const time = useMemo(() => [{ key: 'ms', label: 'ms per step', color: '#059669', series: series?.['step.ms'] }], [series]);
  const memory = useMemo(
    () => [
      { key: 'mb', label: 'MB in tensors', color: '#0891b2', series: series?.['memory.mb'] },
      { key: 'gpu', label: 'MB of GPU buffers allocated (webgpu)', color: '#be123c', series: series?.['memory.gpuAllocatedMb'] },
    ],
    [series],
  );
  const lossPoints = series?.['train.loss']?.steps.length ?? 0;
  const apPoints = series?.['test.ap50']?.steps.length ?? 0;
  return (
    <div className="charts">
      <div data-testid="detect.loss" data-points={lossPoints}>
        <MetricChart testId="chart.detect.loss" title="Loss terms per decoder layer (dashed: auxiliary layers)" markers={markers} lines={terms} />
      </div>
      <div data-testid="detect.ap.chart" data-points={apPoints}>
        <MetricChart testId="chart.detect.ap" title="Validation AP and recall" markers={markers} lines={ap} yDomain={UNIT} yFormat={percent} />
      </div>
      <MetricChart testId="chart.detect.bands" title="Validation AP@0.5 by person height" markers={markers} lines={bands} yDomain={UNIT} yFormat={percent} />
      <MetricChart testId="chart.detect.matched" title="Matched queries and boxes shown" markers={markers} lines={matched} />
      <MetricChart testId="chart.detect.total" title="Total loss and gradient norm" markers={markers} lines={total} />
      <MetricChart testId="chart.detect.time" title="Step time" markers={markers} lines={time} />
      <MetricChart testId="chart.detect.memory" title="Engine memory" markers={markers} lines={memory} />
    </div>
  );
});
