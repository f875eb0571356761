import type { ReactNode } from 'react';

/**
 * One live readout in a lab's readout row: "label **value**". A missing or non-finite value shows "—", or hides the
 * readout when `optional` (values that only some runs report).
 */
export function Readout({
  label,
  value,
  format,
  testId,
  title,
  optional = false,
}: {
  label: ReactNode;
  value: number | undefined;
  format: (v: number) => string;
  testId?: string;
  title?: string;
  optional?: boolean;
}) {
  const missing = value === undefined || !Number.isFinite(value);
  if (optional && missing) return null;
  return (
    <span className="readout" title={title}>
      {label} <b data-testid={testId}>{missing ? '—' : format(value)}</b>
    </span>
  );
}

/** Formats readouts share. */
export const formatMsReadout = (v: number): string => `${v.toFixed(0)} ms`;
