import { memo } from 'react';
import type { SegEvalReport } from '../../../protocol/labs/segment';
import { formatPercent } from '../../format';

type Rgb = readonly [number, number, number];
/** Evaluations shown in the class × evaluation grid (the latest ones). */
const MAX_EVALS = 40;

/** IoU 0 → light, 1 → dark blue (ColorBrewer Blues ends, linear in between). */
function iouColour(v: number): string {
  const t = Math.min(1, Math.max(0, v));
  const a = [247, 251, 255];
  const b = [8, 48, 107];
  return `rgb(${a.map((x, i) => Math.round(x + (b[i]! - x) * t)).join(',')})`;
}

const swatch = (c: Rgb | undefined) => (c ? `rgb(${c[0]},${c[1]},${c[2]})` : '#9ca3af');

/** Per-class IoU of the latest evaluation as bars, and every class over the evaluations as a grid. */
export const ClassIoUBars = memo(function ClassIoUBars({ evals, palette }: { evals: readonly SegEvalReport[]; palette: readonly Rgb[] | undefined }) {
  const last = evals.at(-1);
  const shown = evals.slice(-MAX_EVALS);
  return (
    <section className="seg-classes" aria-labelledby="seg-classes-title">
      <h3 id="seg-classes-title">Per-class IoU{last ? ` · step ${last.step}` : ''}</h3>
      {!last ? (
        <p className="muted">No evaluation yet: the first comes after “Evaluate every” steps.</p>
      ) : (
        <div className="seg-class-views">
          <ol className="seg-bars" data-testid="seg.classIoU" aria-label="Per-class IoU of the latest evaluation">
            {last.classNames.map((name, c) => {
              const v = last.perClassIoU[c] ?? null;
              return (
                <li key={name} className="seg-bar" data-testid="seg.classIoU.item" data-class={name}>
                  <span className="seg-bar-name">
                    <i className="seg-swatch" style={{ background: swatch(palette?.[c]) }} aria-hidden />
                    {name}
                  </span>
                  <span className="seg-bar-track" aria-hidden>
                    {v !== null && <span className="seg-bar-fill" style={{ width: `${(v * 100).toFixed(1)}%` }} />}
                  </span>
                  <b
                    className="seg-bar-value"
                    data-testid="seg.classIoU.value"
                    title={v === null ? 'absent from the validation images and never predicted' : undefined}
                  >
                    {v === null ? 'n/a' : formatPercent(v)}
                  </b>
                </li>
              );
            })}
          </ol>
          {shown.length > 1 && (
            <figure className="seg-grid-fig">
              <figcaption className="muted">
                Class × evaluation (steps {shown[0]!.step}–{last.step}); darker = higher IoU, hatched = n/a
              </figcaption>
              <div
                className="seg-grid"
                data-testid="seg.classIoU.grid"
                style={{ gridTemplateColumns: `max-content repeat(${shown.length}, minmax(4px, 1fr))` }}
              >
                {last.classNames.map((name, c) => (
                  <div key={name} className="seg-grid-row" style={{ display: 'contents' }}>
                    <span className="seg-grid-name">{name}</span>
                    {shown.map((e) => {
                      const v = e.perClassIoU[c] ?? null;
                      return (
                        <span
                          key={e.step}
                          className={v === null ? 'seg-cell seg-cell-na' : 'seg-cell'}
                          style={v === null ? undefined : { background: iouColour(v) }}
                          title={`${name}, step ${e.step}: ${v === null ? 'n/a' : formatPercent(v)}`}
                        />
                      );
                    })}
                  </div>
                ))}
              </div>
            </figure>
          )}
        </div>
      )}
    </section>
  );
});
