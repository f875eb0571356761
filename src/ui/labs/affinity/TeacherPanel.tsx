import { useEffect } from 'react';
import { getEngine } from '../../../client';
import { formatWidth } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { formatCount, formatPercent } from '../../format';

/** The teacher slot: what a distillation run reads (width, cost, dataset, accuracy, origin), or what to train first. */
export function TeacherPanel() {
  const state = useWorkbench((s) => s.labData.affinity?.teacher ?? null);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const setPush = useWorkbench((s) => s.setPush);
  const addNotice = useWorkbench((s) => s.addNotice);
  useEffect(() => {
    if (!engineReady) return;
    getEngine()
      .call('affinity', 'teacher', [])
      .then(
        (value) => setPush({ lab: 'affinity', name: 'teacher', value }),
        (err: unknown) => addNotice('warning', `The teacher could not be read: ${err instanceof Error ? err.message : String(err)}`),
      );
  }, [engineReady, setPush, addNotice]);
  const t = state?.teacher;
  const datasetName = useWorkbench((s) => s.datasets.find((d) => d.id === t?.dataset)?.name) ?? t?.datasetName;
  return (
    <section className="affinity-teacher" aria-label="Teacher" data-testid="affinity.teacher">
      <h3>Teacher</h3>
      {!state && <p className="muted">Loading the teacher…</p>}
      {state && !t && <p className="notice notice-warning">{state.missing}</p>}
      {t && (
        <p>
          EfficientNet-like, width {formatWidth(t.width)}: <b>{formatCount(t.params)}</b> params, {formatCount(t.macs)} MACs per image; trained on {datasetName}{' '}
          ({Number.isFinite(t.steps) ? `${t.steps} steps` : 'steps unknown'}), test accuracy{' '}
          <b data-testid="affinity.teacher.accuracy">{Number.isFinite(t.testAccuracy) ? formatPercent(t.testAccuracy) : '—'}</b>;{' '}
          {t.origin === 'shipped' ? 'shipped (npm run pretrain:affinity)' : `trained here (run ${t.origin})`}.
        </p>
      )}
    </section>
  );
}
