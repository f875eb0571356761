import { useEffect, useState } from 'react';
import { getEngine } from '../../../client';
import { formatWidth } from '../../../protocol';
import { DETECT_ENCODER_SHORT, DETECT_INPUT, type DetectConfig, type DetectCostReport, type DetectPartCost } from '../../../protocol/labs/detect';
import { useWorkbench } from '../../../store';
import { formatCount } from '../../format';
import { useActiveLab, useLabConfig } from '../../runStatus';
import { formatMs } from './detectView';

const PARTS: readonly DetectPartCost['part'][] = ['backbone', 'projection', 'encoder', 'decoder', 'heads'];
/** The settings the costs depend on: a change of another setting does not ask again. */
const ARCH_KEYS = ['width', 'd', 'encoderLayers', 'decoderLayers', 'heads', 'ffnRatio', 'queries'] as const;
const DEBOUNCE_MS = 400;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function Cell({ params, macs }: { params: number | undefined; macs: number | undefined }) {
  return (
    <td className="num">
      {params === undefined ? '—' : formatCount(params)}
      <small>{macs === undefined ? '' : `${formatCount(macs)} MACs`}</small>
    </td>
  );
}

/** Params and MACs per part of every encoder kind at the form's architecture, and measured batch-1 latency on this backend. */
export function DetectCostPanel() {
  const config = useLabConfig('detect');
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const busy = useActiveLab() !== null;
  const [report, setReport] = useState<DetectCostReport | null>(null);
  const [measuring, setMeasuring] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const archKey = ARCH_KEYS.map((k) => config[k]).join(',');

  const ask = async (c: DetectConfig, measure: boolean) => {
    try {
      const r = await getEngine().call('detect', 'costs', [c, measure]);
      if (r.ok) {
        setReport(r.report);
        setError(null);
      } else setError(r.error.message);
    } catch (err) {
      setError(`The costs could not be computed: ${message(err)}`);
    }
  };

  useEffect(() => {
    if (!engineReady) return;
    const timer = setTimeout(() => void ask(config, false), DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // Asked again only when the architecture changes (archKey), not on every live slider move.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [engineReady, archKey]);

  const measure = async () => {
    setMeasuring(true);
    await ask(config, true);
    setMeasuring(false);
  };
  const measured = report?.rows.some((r) => r.latencyMs !== null) ?? false;
  return (
    <section className="detect-section detect-cost" aria-label="Cost per encoder" data-testid="detect.cost">
      <div className="detect-head">
        <h3>Cost per encoder</h3>
        <button type="button" data-testid="detect.cost.measure" disabled={!engineReady || busy || measuring} onClick={() => void measure()}>
          {measuring ? 'Measuring…' : 'Measure latency'}
        </button>
        {busy && <span className="muted">Stop the run to measure latency (it would time both).</span>}
        {report && (
          <span className="muted" data-testid="detect.cost.backend">
            backend {report.backend}
          </span>
        )}
      </div>
      <p className="detect-note">
        At the form’s architecture (width {formatWidth(config.width)}, d {config.d}, L {config.encoderLayers}, {config.decoderLayers} decoder layers,{' '}
        {config.heads} heads, FFN {config.ffnRatio}·d, {config.queries} queries) on a {report?.inputWidth ?? DETECT_INPUT.width}×
        {report?.inputHeight ?? DETECT_INPUT.height} image (width × height). Each cell: parameters, and multiply-accumulates per image below. Latency: median
        batch-1 inference (forward and read-back) on this backend.
      </p>
      {error && (
        <p className="detect-error" role="alert">
          {error}
        </p>
      )}
      {!report && !error && <p className="muted">{engineReady ? 'Counting…' : 'The engine is starting…'}</p>}
      {report && (
        <div className="runs-table-wrap">
          <table className="runs" data-testid="detect.cost.table">
            <thead>
              <tr>
                <th>Encoder</th>
                {PARTS.map((p) => (
                  <th key={p}>{p}</th>
                ))}
                <th>total</th>
                <th>latency</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={r.encoder} data-testid="detect.cost.row" data-encoder={r.encoder} className={r.encoder === config.encoder ? 'current' : undefined}>
                  <td>
                    {DETECT_ENCODER_SHORT[r.encoder]}
                    {r.encoder === config.encoder ? ' (chosen)' : ''}
                  </td>
                  {PARTS.map((p) => {
                    const part = r.parts.find((x) => x.part === p);
                    return <Cell key={p} params={part?.params} macs={part?.macs} />;
                  })}
                  <Cell params={r.params} macs={r.macs} />
                  <td className="num" data-testid="detect.cost.latency">
                    {r.latencyMs === null ? '—' : formatMs(r.latencyMs)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report && !measured && <p className="muted">Latency: press “Measure latency” (it builds and times each encoder kind).</p>}
    </section>
  );
}
