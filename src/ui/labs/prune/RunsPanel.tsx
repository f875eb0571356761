import { useEffect } from 'react';
import { useWorkbench } from '../../../store';
import { RunsCompare } from './RunsCompare';
import { RunsScatter } from './RunsScatter';
import { PruneRunsTable } from './PruneRunsTable';
import { useClassifyRuns } from './useClassifyRuns';
import './runs.css';

/** Saved runs: the table, the accuracy-vs-sparsity scatter over all runs, and the overlay of two picked runs. */
export function RunsPanel() {
  const loaded = useWorkbench((s) => s.savedRunsLoaded);
  const loadRuns = useWorkbench((s) => s.loadSavedRuns);
  const count = useClassifyRuns().length;

  useEffect(() => {
    if (!loaded) void loadRuns();
  }, [loaded, loadRuns]);

  return (
    <section className="runs-panel" aria-labelledby="runs-title" data-testid="runs.panel">
      <h2 id="runs-title">Runs</h2>
      <PruneRunsTable />
      {count > 0 && (
        <>
          <div className="runs-charts">
            <RunsScatter />
          </div>
          <RunsCompare />
        </>
      )}
    </section>
  );
}
