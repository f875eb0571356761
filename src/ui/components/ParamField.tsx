import { useEffect, useRef, useState } from 'react';
import { normalizeNumber, type NumberSpec } from '../../protocol';
import { formatHp } from '../format';

interface Props {
  id: string;
  spec: NumberSpec;
  value: number;
  disabled?: boolean;
  /** Called with a valid, in-range value when the user commits (Enter, blur, slider settles). */
  onCommit(value: number): void;
  hint?: string;
}

const SLIDER_STEPS = 200;

function toSlider(spec: NumberSpec, v: number): number {
  if (spec.scale === 'log') {
    const lo = Math.log10(spec.min || 1e-8);
    return Math.round(((Math.log10(Math.max(v, spec.min || 1e-8)) - lo) / (Math.log10(spec.max) - lo)) * SLIDER_STEPS);
  }
  return Math.round(((v - spec.min) / (spec.max - spec.min)) * SLIDER_STEPS);
}

function fromSlider(spec: NumberSpec, pos: number): number {
  const t = pos / SLIDER_STEPS;
  const v =
    spec.scale === 'log'
      ? 10 ** (Math.log10(spec.min || 1e-8) + t * (Math.log10(spec.max) - Math.log10(spec.min || 1e-8)))
      : spec.min + t * (spec.max - spec.min);
  return Number(v.toPrecision(2));
}

/** A labelled number input (the control carries the test id), with a slider for live hyperparameters. */
export function ParamField({ id, spec, value, disabled, onCommit, hint }: Props) {
  const [text, setText] = useState(formatHp(value));
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The value this field last committed: a change of `value` from elsewhere (slider, link, reset) clears the message. */
  const committed = useRef<number | null>(null);
  useEffect(() => {
    setText(formatHp(value));
    if (committed.current !== value) setError(null);
  }, [value]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  /** Commit typed text; re-committing the shown value (a blur after Enter) keeps the message: it stays until the value changes. */
  const commit = (raw: string) => {
    if (raw.trim() === formatHp(value)) {
      setText(formatHp(value));
      return;
    }
    const issues: string[] = [];
    const v = normalizeNumber(id, spec, raw, issues);
    setError(issues[0] ?? null);
    setText(formatHp(v));
    committed.current = v;
    if (v !== value) onCommit(v);
  };

  const showSlider = spec.live && !spec.integer;
  return (
    <div className="field">
      <label htmlFor={`f-${id}`}>{spec.label}</label>
      <div className="field-row">
        {showSlider && (
          <input
            type="range"
            aria-label={`${spec.label} slider${spec.scale === 'log' ? ' (log scale)' : ''}`}
            data-testid={`${id}.slider`}
            min={0}
            max={SLIDER_STEPS}
            value={toSlider(spec, Number(text) || value)}
            disabled={disabled}
            onChange={(e) => {
              const v = fromSlider(spec, Number(e.target.value));
              setText(formatHp(v));
              if (timer.current) clearTimeout(timer.current);
              timer.current = setTimeout(() => commit(String(v)), 300);
            }}
          />
        )}
        <input
          id={`f-${id}`}
          data-testid={id}
          className="num"
          type="text"
          inputMode="decimal"
          value={text}
          disabled={disabled}
          aria-invalid={error !== null}
          onChange={(e) => setText(e.target.value)}
          onBlur={(e) => commit(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit((e.target as HTMLInputElement).value);
          }}
        />
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : (
        hint && <p className="field-hint">{hint}</p>
      )}
    </div>
  );
}
