import { memo, useId, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TooltipContentProps } from 'recharts';
import type { LayerReport } from '../../../protocol';
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

function HistTip({ active, payload }: TooltipContentProps) {
  const s = payload?.[0]?.payload as Slot | undefined;
  if (!active || !s || s.count === null) return null;
  return (
    <div className="pv-tip">
      <strong>{s.zero ? 'zero groups' : 'group norm'}</strong>
      {s.range}: {s.count} group{s.count === 1 ? '' : 's'}
    </div>
  );
}

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
  const inRange = (x: number) => view !== null && view.h.bins.length > 0 && x >= view.h.lo && x <= view.h.hi;
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
          <ResponsiveContainer width="100%" height={240}>
            <BarChart data={view.slots} margin={{ top: 18, right: 16, bottom: 4, left: 0 }} barCategoryGap={1}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" vertical={false} />
              <XAxis dataKey="at" type="number" domain={view.domain} allowDataOverflow ticks={view.ticks} tickFormatter={view.tick} tick={{ fontSize: 10 }} />
              <YAxis allowDecimals={false} width={40} />
              <Tooltip content={HistTip} cursor={{ fill: '#f3f4f6' }} isAnimationActive={false} />
              <Bar dataKey="count" name="groups" isAnimationActive={false} minPointSize={0}>
                {view.slots.map((s) => (
                  <Cell key={s.at} fill={s.zero ? '#dc2626' : '#2563eb'} />
                ))}
              </Bar>
              {inRange(zeroLine) && (
                <ReferenceLine
                  x={view.toPos(zeroLine)}
                  stroke="#6b7280"
                  strokeDasharray="4 3"
                  label={{ value: 'zero thr.', position: 'top', fontSize: 10, fill: '#6b7280' }}
                />
              )}
              {hard !== null && (
                <ReferenceLine
                  x={view.toPos(Math.log10(hard))}
                  stroke="#b45309"
                  strokeDasharray="4 3"
                  label={{ value: hardLabel, position: 'top', fontSize: 11, fill: '#b45309' }}
                />
              )}
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
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
