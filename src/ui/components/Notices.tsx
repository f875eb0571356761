import { useWorkbench } from '../../store';

/** Warnings and errors the user should read (corrected link settings, engine restarts, refused input). */
export function Notices() {
  const notices = useWorkbench((s) => s.notices);
  const dismiss = useWorkbench((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-live="polite">
      {notices.map((n) => (
        <li key={n.id} className={`notice notice-${n.kind}`} data-testid="app.notice">
          <span>{n.text}</span>
          <button type="button" aria-label="Dismiss notice" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
