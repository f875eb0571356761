import { memo, useEffect, useMemo, useState } from 'react';
import { getEngine } from '../../../client';
import type { AffinityMaps } from '../../../protocol/labs/affinity';
import { affinityRow, pixelAt, range } from './affinityView';
import { HeatCanvas, ImageCanvas } from './HeatCanvas';

const VIEW = 176;

/**
 * The affinity views (TECHNIQUES.md §3): for one test image and stage, A_T, A_S and |A_S − A_T| as N×N
 * heatmaps, and the picked pixel's affinity row as a spatial map, teacher beside student.
 */
export const AffinityMapsView = memo(function AffinityMapsView({ maps: fromRun, testCount }: { maps: readonly AffinityMaps[] | undefined; testCount: number }) {
  // A picked image shows at once (from the worker) until the next evaluation brings the run's own maps.
  const [picked, setPicked] = useState<readonly AffinityMaps[] | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  useEffect(() => setPicked(null), [fromRun]);
  const maps = picked ?? fromRun;
  const pickImage = async (oneBased: number) => {
    setPickError(null);
    const r = await getEngine().call('affinity', 'maps', [oneBased - 1]);
    if (r.ok) setPicked(r.maps);
    else setPickError(r.error.message);
  };
  const sizes = maps?.map((m) => m.size) ?? [];
  const [chosen, setChosen] = useState<number | null>(null);
  const [pixel, setPixel] = useState<number>(0);
  const m = maps?.find((x) => x.size === chosen) ?? maps?.[0];
  // The matrices' colour scales come with them from the worker; only the picked row (N values) is read here.
  const derived = useMemo(() => {
    if (!m) return null;
    const n = m.size * m.size;
    const p = Math.min(pixel, n - 1);
    const rowT = affinityRow(m.teacher, m.size, p);
    const rowS = affinityRow(m.student, m.size, p);
    return { n, p, rowT, rowS, rowRange: range(rowT, rowS) };
  }, [m, pixel]);

  if (!m || !derived) {
    return (
      <section className="affinity-maps" aria-label="Affinity matrices">
        <h3>Affinity matrices</h3>
        <p className="muted" data-testid="affinity.maps.empty">
          The teacher’s and the student’s affinity matrices of a test image appear at the first evaluation of a distillation run with an affinity loss.
        </p>
      </section>
    );
  }
  const pick = (x: number, y: number) => setPixel(pixelAt(x, y, VIEW, m.size));
  return (
    <section className="affinity-maps" aria-label="Affinity matrices">
      <div className="seg-section-head">
        <h3>Affinity matrices</h3>
        <label className="inline-field">
          Stage
          <select data-testid="affinity.stage" value={m.size} onChange={(e) => setChosen(Number(e.target.value))}>
            {sizes.map((s) => (
              <option key={s} value={s}>
                {s}×{s} (N = {s * s})
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          Test image
          <input
            type="number"
            data-testid="affinity.imageIndex"
            min={1}
            max={testCount}
            defaultValue={m.imageIndex + 1}
            key={m.imageIndex}
            style={{ width: 72 }}
            onKeyDown={(e) => e.key === 'Enter' && void pickImage(Number(e.currentTarget.value))}
            onBlur={(e) => Number(e.currentTarget.value) !== m.imageIndex + 1 && void pickImage(Number(e.currentTarget.value))}
          />
          <span className="muted">of {testCount}</span>
        </label>
        <span className="muted">step {m.step}; cosine similarity of pixel features, −1…1</span>
      </div>
      {pickError && (
        <p className="notice notice-error" role="alert">
          {pickError}
        </p>
      )}
      <div className="heat-row">
        <HeatCanvas
          testId="affinity.heatmap.teacher"
          label={`teacher A_T (${derived.n}×${derived.n})`}
          values={m.teacher}
          w={derived.n}
          h={derived.n}
          lo={m.lo}
          hi={m.hi}
          view={VIEW}
        />
        <HeatCanvas
          testId="affinity.heatmap.student"
          label={`student A_S (adapted)`}
          values={m.student}
          w={derived.n}
          h={derived.n}
          lo={m.lo}
          hi={m.hi}
          view={VIEW}
        />
        <HeatCanvas
          testId="affinity.heatmap.diff"
          label={`|A_S − A_T| (max ${m.diffMax.toFixed(2)})`}
          values={m.student}
          minus={m.teacher}
          w={derived.n}
          h={derived.n}
          lo={0}
          hi={m.diffMax || 1}
          view={VIEW}
        />
      </div>
      <div className="heat-row">
        <ImageCanvas testId="affinity.image" rgb={m.image} size={32} view={VIEW} grid={m.size} mark={derived.p} onPick={pick} />
        <HeatCanvas
          testId="affinity.row.teacher"
          label={`teacher: affinity of pixel ${derived.p} (row ${Math.floor(derived.p / m.size)}, col ${derived.p % m.size})`}
          values={derived.rowT}
          w={m.size}
          h={m.size}
          lo={derived.rowRange[0]}
          hi={derived.rowRange[1]}
          view={VIEW}
          mark={derived.p}
          onPick={pick}
        />
        <HeatCanvas
          testId="affinity.row.student"
          label="student: the same row"
          values={derived.rowS}
          w={m.size}
          h={m.size}
          lo={derived.rowRange[0]}
          hi={derived.rowRange[1]}
          view={VIEW}
          mark={derived.p}
          onPick={pick}
        />
      </div>
    </section>
  );
});
