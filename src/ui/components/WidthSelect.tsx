import { WIDTH_CHOICES, formatWidth } from '../../protocol';

/** The width-multiplier menu (1/16 … 1). */
export function WidthSelect({ id, value, disabled, onChange }: { id: string; value: number; disabled: boolean; onChange(width: number): void }) {
  return (
    <div className="field">
      <label htmlFor={`f-${id}`}>Width multiplier</label>
      <select id={`f-${id}`} data-testid={id} value={String(value)} disabled={disabled} onChange={(e) => onChange(Number(e.target.value))}>
        {WIDTH_CHOICES.map((w) => (
          <option key={w} value={String(w)}>
            {formatWidth(w)}
          </option>
        ))}
      </select>
    </div>
  );
}
