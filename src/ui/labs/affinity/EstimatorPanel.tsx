import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { getEngine } from '../../../client';
import { AFFINITY_TAPS, type AffinityTap, type EstimatorStudy } from '../../../protocol';
import { useShallow } from 'zustand/react/shallow';
import { useWorkbench } from '../../../store';
import { isActive } from '../../runStatus';

const DRAWS = 64;

interface LineSpec {
  key: string;
  name: string;
  color: string;
  dashed?: boolean;
}

function KChart({ title, rows, lines }: { title: string; rows: Record<string, number>[]; lines: LineSpec[] }) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={rows} margin={{ top: 16, right: 24, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
          <XAxis dataKey="k" type="number" scale="log" domain={['dataMin', 'dataMax']} ticks={rows.map((r) => r.k!)} />
          <YAxis domain={['auto', 'auto']} width={56} tickFormatter={(v: number) => `${Number(v.toPrecision(3))}`} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} labelFormatter={(k) => `k = ${k}`} />
          <Legend />
          {lines.map((l) => (
            <Line
              key={l.key}
              dataKey={l.key}
              name={l.name}
              stroke={l.color}
              dot={!l.dashed}
              isAnimationActive={false}
              {...(l.dashed ? { strokeDasharray: '5 4' } : {})}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Rows of both charts from a study: FFA₂ with its spread, FA₂ and its √(2/k) band; FFA₁ beside what it estimates. */
export function estimatorRows(s: EstimatorStudy): { order2: Record<string, number>[]; order1: Record<string, number>[] } {
  return {
    order2: s.points.map((p) => {
      // FFA₂² is unbiased for FA₂² with a relative spread of about √(2/k): FFA₂ ≈ FA₂·√(1 ± √(2/k)).
      const band = Math.sqrt(2 / p.k);
      return {
        k: p.k,
        mean: p.ffa2.mean,
        p10: p.ffa2.p10,
        p90: p.ffa2.p90,
        exact: s.exact2,
        hi: s.exact2 * Math.sqrt(1 + band),
        lo: s.exact2 * Math.sqrt(Math.max(0, 1 - band)),
      };
    }),
    order1: s.points.map((p) => ({ k: p.k, mean: p.ffa1.mean, p10: p.ffa1.p10, p90: p.ffa1.p90, rowL21: s.rowL21, exact: s.exact1 })),
  };
}

/** The estimator panel: FFA against k with its spread over draws of Z, beside the exact FA (order 2) and what order 1 really estimates. */
export function EstimatorPanel() {
  // The run's config and status only: a step's event does not re-render the panel.
  const run = useWorkbench(useShallow((s) => (s.runs.affinity ? { config: s.runs.affinity.config, status: s.runs.affinity.status } : null)));
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const taps = AFFINITY_TAPS.filter((t) => run?.config[`tap${t}`]);
  const [size, setSize] = useState<AffinityTap | null>(null);
  const [study, setStudy] = useState<EstimatorStudy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const usable = run !== null && run.config.role === 'student' && run.config.lossType !== 'none' && !isActive(run.status) && taps.length > 0;
  const stage = size !== null && taps.includes(size) ? size : (taps[0] ?? 16);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await getEngine().call('affinity', 'estimator', [stage, DRAWS]);
      if (r.ok) setStudy(r.study);
      else setError(r.error.message);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const rows = study ? estimatorRows(study) : null;
  return (
    <section className="affinity-estimator" aria-label="FFA estimator" data-testid="affinity.estimator">
      <div className="seg-section-head">
        <h3>Estimator: FFA against k</h3>
        <label className="inline-field">
          Stage
          <select data-testid="affinity.estimator.stage" value={stage} disabled={!usable} onChange={(e) => setSize(Number(e.target.value) as AffinityTap)}>
            {(taps.length ? taps : [16]).map((t) => (
              <option key={t} value={t}>
                {t}×{t}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="affinity.estimator.run" disabled={!engineReady || !usable || busy} onClick={() => void go()}>
          {busy ? 'Drawing…' : `Study ${DRAWS} draws of Z per k`}
        </button>
      </div>
      {!usable && <p className="muted">After a student run with an affinity loss ends (done or stopped), study FFA on its features: k = 1 … 64.</p>}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {study && rows && (
        <>
          <p className="muted">
            Stage {study.size}×{study.size} (N = {study.n}), the first {study.images} test images, {study.draws} seeded draws of Z per k. Exact FA₂ ={' '}
            {study.exact2.toPrecision(4)}, FA₁ = {study.exact1.toPrecision(4)}, √(2/π)·Σ‖row‖₂/N² = {study.rowL21.toPrecision(4)}.
          </p>
          <div className="charts">
            <KChart
              title="Order 2: FFA₂ (mean, 10th–90th percentile) and the exact FA₂ with its √(2/k) band"
              rows={rows.order2}
              lines={[
                { key: 'mean', name: 'FFA₂ mean', color: '#2563eb' },
                { key: 'p10', name: 'FFA₂ p10', color: '#93c5fd', dashed: true },
                { key: 'p90', name: 'FFA₂ p90', color: '#93c5fd', dashed: true },
                { key: 'exact', name: 'FA₂ exact', color: '#dc2626' },
                { key: 'hi', name: 'FA₂·√(1+√(2/k))', color: '#fca5a5', dashed: true },
                { key: 'lo', name: 'FA₂·√(1−√(2/k))', color: '#fca5a5', dashed: true },
              ]}
            />
            <KChart
              title="Order 1: FFA₁ estimates √(2/π)·Σ‖row‖₂/N², not FA₁"
              rows={rows.order1}
              lines={[
                { key: 'mean', name: 'FFA₁ mean', color: '#2563eb' },
                { key: 'p10', name: 'FFA₁ p10', color: '#93c5fd', dashed: true },
                { key: 'p90', name: 'FFA₁ p90', color: '#93c5fd', dashed: true },
                { key: 'rowL21', name: '√(2/π)·row ℓ2,1 / N²', color: '#059669' },
                { key: 'exact', name: 'FA₁ exact', color: '#dc2626' },
              ]}
            />
          </div>
        </>
      )}
    </section>
  );
}
