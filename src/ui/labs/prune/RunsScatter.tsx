import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { PRUNE_METHODS, type PruneMethodName } from '../../../protocol';
import { METHOD_SHORT, methodHyperparams, runMethod, type ClassifyRunRecord } from './runExport';
import { runSummary } from './runSummary';
import { useClassifyRuns } from './useClassifyRuns';
import './runs.css';

export const METHOD_COLOR: Record<PruneMethodName, string> = {
  none: '#6b7280',
  'gl-penalty': '#2563eb',
  'gl-prox': '#7c3aed',
  rgsm: '#dc2626',
};

interface Point {
  id: string;
  /** Channel sparsity, %. */
  x: number;
  /** Final test accuracy, %. */
  y: number;
  method: string;
  hp: string;
  model: string;
}

function toPoints(runs: readonly ClassifyRunRecord[]): [PruneMethodName, Point[]][] {
  const groups = new Map<PruneMethodName, Point[]>();
  for (const r of runs) {
    const { testAccuracy: acc, channelSparsity: sp } = runSummary(r);
    if (acc === null || sp === null) continue;
    const m = runMethod(r);
    const list = groups.get(m) ?? [];
    list.push({ id: r.id, x: sp * 100, y: acc * 100, method: METHOD_SHORT[m], hp: methodHyperparams(r), model: r.config.model });
    groups.set(m, list);
  }
  return PRUNE_METHODS.filter((m) => groups.has(m)).map((m) => [m, groups.get(m)!]);
}

function ScatterTip({ active, payload }: { active: boolean; payload: ReadonlyArray<{ payload?: unknown }> }) {
  const p = payload[0]?.payload as Point | undefined;
  if (!active || !p) return null;
  return (
    <div className="runs-tooltip">
      <p>
        <b>{p.method}</b> {p.model}
      </p>
      {p.hp && <p className="hp">{p.hp}</p>}
      <p>
        accuracy {p.y.toFixed(1)}%, channel sparsity {p.x.toFixed(1)}%
      </p>
    </div>
  );
}

const pctTick = (v: number) => `${Number(v.toFixed(1))}%`;

/** Final test accuracy against channel sparsity for every saved run, one colour per method. */
export const RunsScatter = memo(function RunsScatter() {
  const runs = useClassifyRuns();
  const groups = useMemo(() => toPoints(runs), [runs]);
  return (
    <figure className="chart" data-testid="runs.scatter">
      <figcaption>Accuracy vs channel sparsity, all runs</figcaption>
      <div className="chart-body">
        {groups.length === 0 && <div className="chart-empty">No saved run has both a test accuracy and a channel sparsity yet.</div>}
        <ResponsiveContainer width="100%" height={280}>
          <ScatterChart margin={{ top: 16, right: 24, bottom: 16, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis
              type="number"
              dataKey="x"
              name="channel sparsity"
              domain={[0, 100]}
              tickFormatter={pctTick}
              label={{ value: 'channel sparsity', position: 'insideBottom', offset: -8, fontSize: 11 }}
            />
            <YAxis type="number" dataKey="y" name="test accuracy" domain={['auto', 'auto']} tickFormatter={pctTick} width={52} />
            <Tooltip cursor={{ strokeDasharray: '3 3' }} content={(p) => <ScatterTip active={p.active} payload={p.payload} />} />
            <Legend verticalAlign="top" height={24} />
            {groups.map(([m, points]) => (
              <Scatter key={m} name={METHOD_SHORT[m]} data={points} fill={METHOD_COLOR[m]} isAnimationActive={false} />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
});
