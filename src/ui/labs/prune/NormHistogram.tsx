import { memo, useId, useMemo, useState } from 'react';
import type { LayerReport } from '../../../protocol';
import { BarCanvas, type CanvasVLine } from '../../components/BarCanvas';
import { formatHp } from '../../format';
import { binNorms } from './normHistogram';
import type { NormHistogramData } from './normHistogram';
import { shortLayerLabels } from './layerLabels';
import './prune-views.css';

interface Props {
  report: LayerReport | null;
  showHardThreshold: boolean;
}

/** One equal-width slot of the chart: the zero bar, an empty gap, then the log bins. */
interface Slot {
  /** Centre of the slot on the x axis (slot units). */
  at: number;
  count: number | null;
  zero: boolean;
  range: string;
}

const fmtNorm = (log: number) => formatHp(Number((10 ** log).toPrecision(2)));

/**
 * The x axis counts equal slots: slot 0 = zero bar, slot 1 = gap, slot i + 2 = bin i. Slot position p is
 * log10 norm `left + p·w` (w = bin width), so ticks and reference lines map between the two linearly.
 */
function layout(h: NormHistogramData, thr: number) {
  const w = h.bins.length ? (h.hi - h.lo) / h.bins.length : 1;
  const left = h.bins.length ? h.lo - 2 * w : 0;
  const toPos = (log: number) => (log - left) / w;
  const slots: Slot[] = [{ at: 0.5, count: h.zeros, zero: true, range: `< ${formatHp(thr)}` }];
  if (h.bins.length) slots.push({ at: 1.5, count: null, zero: false, range: '' });
  h.bins.forEach((b, i) => slots.push({ at: i + 2.5, count: b.count, zero: false, range: `${fmtNorm(b.x0)} – ${fmtNorm(b.x1)}` }));
  const ticks = [0.5];
  if (h.bins.length) {
    const decades = [];
    for (let d = Math.ceil(h.lo); d <= Math.floor(h.hi); d++) decades.push(d);
    ticks.push(...(decades.length >= 2 ? decades : [h.lo, (h.lo + h.hi) / 2, h.hi]).map(toPos));
  }
  const tick = (p: number) => (p === 0.5 ? '0' : fmtNorm(left + p * w));
  return { slots, domain: [0, slots.length] as [number, number], ticks, tick, toPos };
}

/** About four whole-number ticks from 0 to at least `max`, and that top. */
export function countTicks(max: number): { top: number; ticks: number[] } {
  const raw = Math.max(1, max) / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw) ?? raw);
  const top = Math.max(step, Math.ceil(Math.max(1, max) / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

const ZERO_BAR = '#dc2626';
const BIN_BAR = '#2563eb';
const countLabel = (v: number) => String(v);

/** Histogram of one layer's group ℓ2 norms on a log axis, zero groups apart, with the zero and RGSM hard thresholds. */
export const NormHistogram = memo(function NormHistogram({ report, showHardThreshold }: Props) {
  const selectId = useId();
  const [chosen, setChosen] = useState<string | null>(null);
  const names = useMemo(() => report?.names ?? [], [report]);
  const labels = useMemo(() => shortLayerLabels(names), [names]);
  let index = chosen === null ? -1 : names.indexOf(chosen);
  if (index < 0 && report) {
    index = 0;
    report.sparsity.forEach((s, i) => {
      if (s > (report.sparsity[index] ?? 0)) index = i;
    });
  }
  const norms = report?.norms[index];
  const thr = report?.zeroThreshold ?? 0;
  // Per-layer thresholds (ours): this layer's threshold is s_l·√(2λ1/β).
  const scale = report?.layerScales?.[index] ?? null;
  const hard = showHardThreshold && report && report.hardThreshold > 0 ? report.hardThreshold * (scale ?? 1) : null;
  const hardLabel = scale === null ? '√(2λ1/β)' : 's_l·√(2λ1/β)';
  const view = useMemo(() => {
    if (!norms) return null;
    const h = binNorms(norms, thr, { bins: 30, include: hard === null ? [] : [hard] });
    return { h, ...layout(h, thr) };
  }, [norms, thr, hard]);
  const zeroLine = Math.log10(thr);
  const drawn = useMemo(() => {
    if (!view) return null;
    const bars = view.slots.map((sl) => ({ value: sl.count, color: sl.zero ? ZERO_BAR : BIN_BAR }));
    const y = countTicks(Math.max(0, ...view.slots.map((sl) => sl.count ?? 0)));
    const xTicks = view.ticks.map((at) => ({ at, label: view.tick(at) }));
    const zeroIn = view.h.bins.length > 0 && zeroLine >= view.h.lo && zeroLine <= view.h.hi;
    const vlines: CanvasVLine[] = [
      ...(zeroIn ? [{ at: view.toPos(zeroLine), label: 'zero thr.', color: '#6b7280' }] : []),
      ...(hard !== null ? [{ at: view.toPos(Math.log10(hard)), label: hardLabel, color: '#b45309' }] : []),
    ];
    return { bars, y, xTicks, vlines };
  }, [view, zeroLine, hard, hardLabel]);
  const [hover, setHover] = useState<number | null>(null);
  const tip = hover === null ? undefined : view?.slots[hover];
  return (
    <figure className="chart" data-testid="prune.histogram">
      <div className="pv-head">
        <figcaption>Group norms (log scale)</figcaption>
        {report && (
          <label htmlFor={selectId}>
            Layer
            <select
              id={selectId}
              aria-label="Histogram layer"
              data-testid="prune.histogram.layer"
              value={names[index] ?? ''}
              onChange={(e) => setChosen(e.target.value)}
            >
              {names.map((n, i) => (
                <option key={n} value={n}>
                  {labels[i]}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className="chart-body">
        {!view ? (
          <div className="chart-empty" style={{ position: 'static', height: 240 }}>
            No norms yet: start a pruning run.
          </div>
        ) : (
          drawn && (
            <BarCanvas
              bars={drawn.bars}
              yMax={drawn.y.top}
              yTicks={drawn.y.ticks}
              yFormat={countLabel}
              xTicks={drawn.xTicks}
              vlines={drawn.vlines}
              gap={0.08}
              height={240}
              ariaLabel={`Histogram of the group norms of ${names[index] ?? 'a layer'} on a log axis, zero groups apart`}
              perfName="prune.histogram"
              onHover={setHover}
            />
          )
        )}
      </div>
      {tip && tip.count !== null && (
        <p className="pv-note" data-testid="prune.histogram.hover">
          <b>{tip.zero ? 'zero groups' : 'group norm'}</b> {tip.range}: {tip.count} group{tip.count === 1 ? '' : 's'}
        </p>
      )}
      {view && (
        <p className="pv-note">
          {names[index]}: <b>{view.h.zeros}</b> of {view.h.total} groups zero (norm &lt; {formatHp(thr)})
          {hard !== null && (
            <>
              {' · '}
              {hardLabel} = <b>{formatHp(hard)}</b>
              {scale !== null && <> (s_l = {formatHp(scale)})</>}
            </>
          )}
        </p>
      )}
    </figure>
  );
});
