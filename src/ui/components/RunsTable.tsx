import { memo, useEffect, useMemo, type ReactNode } from 'react';
import type { LabName } from '../../protocol';
import { savedRunStatus, useWorkbench, type AnyRunRecord, type RunRecord } from '../../store';
import { downloadText, runToCsv, runToJson } from '../runFiles';

/** One column of a run table: its header and how a record fills its cell. */
export interface RunColumn<R> {
  header: string;
  cell(r: R): ReactNode;
  /** 'num' right-aligns. */
  className?: string;
  testId?: string;
  title?(r: R): string | undefined;
}

interface Props<R extends AnyRunRecord> {
  runs: readonly R[];
  columns: readonly RunColumn<R>[];
  /** Test ids: the table, each row (its cells and buttons are `<rowTestId>.<what>`). */
  testId: string;
  rowTestId: string;
  /** A short label of a run for the buttons' accessible names and file names. */
  label(r: R): string;
  fileBase?(r: R): string;
  onDelete(id: string): void;
  /** When set, a first column of checkboxes picks runs to compare. */
  compare?: { ids: readonly string[]; toggle(id: string): void };
  /** JSON and CSV download buttons per row. */
  downloads?: boolean;
}

/** "Nov 29, 14:02" */
export function startedAt(t: number): string {
  return new Date(t).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** The start-time column. */
export function startedColumn<R extends AnyRunRecord>(): RunColumn<R> {
  return { header: 'Started', cell: (r) => startedAt(r.startedAt), title: (r) => new Date(r.startedAt).toISOString() };
}

/**
 * The status column: "done", "interrupted at step 18", "done · diverged"…, with the error, the reason it diverged
 * and, for an interrupted run, that its weights were not kept, as the tooltip.
 */
export function statusColumn<R extends AnyRunRecord>(testId?: string): RunColumn<R> {
  return {
    header: 'Status',
    cell: (r) => {
      const { text, title } = savedRunStatus(r);
      return (
        <span className={`status status-${r.status}${r.diverged ? ' status-diverged' : ''}`} data-testid={testId} title={title}>
          {text}
        </span>
      );
    },
  };
}

interface RowProps<R extends AnyRunRecord> extends Omit<Props<R>, 'runs' | 'testId'> {
  r: R;
  compared: boolean;
}

function RowInner<R extends AnyRunRecord>({ r, columns, rowTestId, label, fileBase, onDelete, compare, compared, downloads }: RowProps<R>) {
  const name = label(r);
  const base = (fileBase ?? ((x: R) => `${x.lab}-${x.id}`))(r).replace(/[^A-Za-z0-9._-]+/g, '_');
  return (
    <tr data-testid={rowTestId} data-id={r.id} className={compared ? 'compared' : undefined}>
      {compare && (
        <td>
          <input
            type="checkbox"
            data-testid={`${rowTestId}.compare`}
            checked={compared}
            onChange={() => compare.toggle(r.id)}
            aria-label={`Compare run ${name}`}
          />
        </td>
      )}
      {columns.map((c) => (
        <td key={c.header} className={c.className} data-testid={c.testId} title={c.title?.(r)}>
          {c.cell(r)}
        </td>
      ))}
      <td className="row-actions">
        {downloads && (
          <>
            <button
              type="button"
              data-testid={`${rowTestId}.json`}
              onClick={() => downloadText(`${base}.json`, runToJson(r), 'application/json')}
              aria-label={`Download run ${name} as JSON`}
            >
              JSON
            </button>
            <button
              type="button"
              data-testid={`${rowTestId}.csv`}
              onClick={() => downloadText(`${base}.csv`, runToCsv(r), 'text/csv')}
              aria-label={`Download metrics of run ${name} as CSV`}
            >
              CSV
            </button>
          </>
        )}
        <button type="button" data-testid={`${rowTestId}.delete`} onClick={() => onDelete(r.id)} aria-label={`Delete run ${name}`}>
          Delete
        </button>
      </td>
    </tr>
  );
}
const Row = memo(RowInner) as typeof RowInner;

/** Saved runs of a lab as a table: the lab's columns, then downloads and delete; optionally a compare pick per row. */
export function RunsTable<R extends AnyRunRecord>({ runs, testId, ...rest }: Props<R>) {
  return (
    <div className="runs-table-wrap">
      <table className="runs" data-testid={testId}>
        <thead>
          <tr>
            {rest.compare && <th>Compare</th>}
            {rest.columns.map((c) => (
              <th key={c.header}>{c.header}</th>
            ))}
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <Row key={r.id} r={r} compared={rest.compare?.ids.includes(r.id) ?? false} {...rest} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The saved runs of one lab, newest first (loads the run history on first use). */
export function useLabRuns<L extends LabName>(lab: L): RunRecord<L>[] {
  const all = useWorkbench((s) => s.savedRuns);
  const loaded = useWorkbench((s) => s.savedRunsLoaded);
  const load = useWorkbench((s) => s.loadSavedRuns);
  useEffect(() => {
    if (!loaded) void load();
  }, [loaded, load]);
  return useMemo(() => all.filter((r) => r.lab === lab) as RunRecord<L>[], [all, lab]);
}

/**
 * A lab's "Runs" section: its saved runs in a RunsTable with the lab's columns (downloads and delete per
 * row), what `above` shows over the table (e.g. a pivot), or a sentence while there are none.
 */
export function LabRunsSection<L extends LabName>(props: {
  lab: L;
  /** Test ids: the section, the table (rows are `<table>.row`… unless rowTestId is given), the empty note. */
  testId: string;
  tableTestId: string;
  rowTestId: string;
  columns: readonly RunColumn<RunRecord<L> & AnyRunRecord>[];
  label(r: RunRecord<L> & AnyRunRecord): string;
  empty: string;
  above?(runs: RunRecord<L>[]): ReactNode;
}) {
  const runs = useLabRuns(props.lab) as (RunRecord<L> & AnyRunRecord)[];
  const loaded = useWorkbench((s) => s.savedRunsLoaded);
  const remove = useWorkbench((s) => s.deleteSavedRun);
  const titleId = `${props.testId}-title`;
  return (
    <section className="runs-panel" aria-labelledby={titleId} data-testid={props.testId}>
      <h2 id={titleId}>Runs</h2>
      {runs.length === 0 ? (
        <p className="runs-empty" data-testid={`${props.testId}.empty`}>
          {loaded ? props.empty : 'Loading saved runs…'}
        </p>
      ) : (
        <>
          {props.above?.(runs)}
          <RunsTable
            runs={runs}
            columns={props.columns}
            testId={props.tableTestId}
            rowTestId={props.rowTestId}
            label={props.label}
            onDelete={(id) => void remove(id)}
            downloads
          />
        </>
      )}
    </section>
  );
}
