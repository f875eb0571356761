/** A labelled progress bar: caption on the left, status text on the right, the bar below. */
export function ProgressBar({
  fraction,
  label,
  caption,
  status,
  testId,
  statusTestId,
}: {
  fraction: number;
  label: string;
  caption: React.ReactNode;
  status: React.ReactNode;
  testId: string;
  statusTestId?: string;
}) {
  const pct = Math.round(fraction * 100);
  return (
    <>
      <div className="progress-head">
        <span>{caption}</span>
        <span className="progress-caption" data-testid={statusTestId}>
          {status}
        </span>
      </div>
      <div className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid={testId}>
        <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
    </>
  );
}
