import type { AnyRunRecord } from '../../../store';
import { useWorkbench } from '../../../store';
import type { RunColumn } from '../../components/RunsTable';
import { modelOfRun } from './modelDisplay';

/** "model →" on a run that kept a model still in the library: opens the Data tab on that model's row. Nothing otherwise. */
export function RunModelLink({ runId }: { runId: string }) {
  const model = useWorkbench((s) => modelOfRun(s.models, runId));
  const showModel = useWorkbench((s) => s.showModel);
  if (!model) return null;
  return (
    <button
      type="button"
      className="link-button"
      data-testid="runs.row.model"
      title={`The model this run kept: “${model.name}” in the model library (Data tab)`}
      aria-label={`Show the model of this run, ${model.name}, in the model library`}
      onClick={() => showModel(model.id)}
    >
      model →
    </button>
  );
}

/** The runs tables' "Model" column: a link to the library row of the model the run kept (empty when none is listed). */
export function modelLinkColumn<R extends AnyRunRecord>(): RunColumn<R> {
  return { header: 'Kept model', cell: (r) => <RunModelLink runId={r.id} /> };
}
