import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { getEngine } from '../../../client';
import type { AffinityCostReport } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { formatBytes } from '../../format';
import { useActiveLab, useLabConfig } from '../../runStatus';

/** Rows for the log-log charts: one per N with FA and FFA values (missing where skipped). */
function chartRows(report: AffinityCostReport, what: 'ms' | 'peakBytes'): { n: number; fa?: number; ffa?: number }[] {
  const byN = new Map<number, { n: number; fa?: number; ffa?: number }>();
  for (const r of report.rows) {
    const row = byN.get(r.n) ?? { n: r.n };
    const v = r[what];
    if (v !== null && v > 0) row[r.method] = what === 'peakBytes' ? v / 2 ** 20 : v;
    byN.set(r.n, row);
  }
  return [...byN.values()];
}

function LogLog({ title, unit, rows }: { title: string; unit: string; rows: { n: number; fa?: number; ffa?: number }[] }) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={rows} margin={{ top: 16, right: 24, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
          <XAxis
            dataKey="n"
            type="number"
            scale="log"
            domain={['dataMin', 'dataMax']}
            ticks={rows.map((r) => r.n)}
            tickFormatter={(n: number) => `${Math.sqrt(n)}²`}
          />
          <YAxis scale="log" domain={['auto', 'auto']} width={56} tickFormatter={(v: number) => `${Number(v.toPrecision(2))}`} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toPrecision(3)} ${unit}` : String(v))} labelFormatter={(n) => `N = ${n}`} />
          <Legend />
          <Line dataKey="fa" name="FA (exact)" stroke="#dc2626" isAnimationActive={false} connectNulls={false} dot={{ r: 3 }} />
          <Line dataKey="ffa" name="FFA" stroke="#2563eb" isAnimationActive={false} connectNulls={false} dot={{ r: 3 }} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The cost panel: time and peak memory of FA vs FFA (forward + backward of the loss alone) as N grows, measured on this backend. */
export function CostPanel() {
  const config = useLabConfig('affinity');
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const busy = useActiveLab() !== null;
  const [report, setReport] = useState<AffinityCostReport | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const order = config.order === '1' ? 1 : 2;
  const measure = async () => {
    setRunning(true);
    setError(null);
    try {
      const r = await getEngine().call('affinity', 'cost', [config.k, order]);
      if (r.ok) setReport(r.report);
      else setError(r.error.message);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setRunning(false);
    }
  };
  const skipped = report?.rows.filter((r) => r.method === 'fa' && r.note).map((r) => `N = ${r.side}²: ${r.note}`) ?? [];
  return (
    <section className="affinity-cost" aria-label="Cost of FA and FFA" data-testid="affinity.cost">
      <div className="seg-section-head">
        <h3>Cost: FA vs FFA as the map grows</h3>
        <button type="button" data-testid="affinity.cost.measure" disabled={!engineReady || busy || running} onClick={() => void measure()}>
          {running ? 'Measuring…' : `Measure (k ${config.k}, order ${order})`}
        </button>
        {busy && <span className="muted">Stop the run to measure.</span>}
      </div>
      <p className="muted">
        Forward + backward of the loss alone w.r.t. the student feature, batch 2, 16 student and 32 teacher channels, N = 8² … 128², median of 3 after a
        warm-up; memory is the peak held by tensors during one pass. FA is O(N²) in time and memory, FFA O(N·k).
      </p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <>
          <div className="charts">
            <LogLog title={`Time per forward + backward (ms), ${report.backend}`} unit="ms" rows={chartRows(report, 'ms')} />
            <LogLog title="Peak tensor memory (MB)" unit="MB" rows={chartRows(report, 'peakBytes')} />
          </div>
          <table className="runs" data-testid="affinity.cost.table">
            <thead>
              <tr>
                <th>N</th>
                <th>FA ms</th>
                <th>FFA ms</th>
                <th>FA memory</th>
                <th>FFA memory</th>
              </tr>
            </thead>
            <tbody>
              {[...new Set(report.rows.map((r) => r.side))].map((side) => {
                const fa = report.rows.find((r) => r.side === side && r.method === 'fa');
                const ffa = report.rows.find((r) => r.side === side && r.method === 'ffa');
                const ms = (v: number | null | undefined) => (v == null ? '—' : v.toFixed(1));
                const mem = (v: number | null | undefined) => (v == null ? '—' : formatBytes(v));
                return (
                  <tr key={side}>
                    <td>
                      {side}² = {side * side}
                    </td>
                    <td className="num">{ms(fa?.ms)}</td>
                    <td className="num">{ms(ffa?.ms)}</td>
                    <td className="num">{mem(fa?.peakBytes)}</td>
                    <td className="num">{mem(ffa?.peakBytes)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {skipped.length > 0 && <p className="muted">{skipped.join('; ')}</p>}
        </>
      )}
    </section>
  );
}
