/**
 * Numeric settings: a NumberSpec is the single source of a setting's default, range and slider scale.
 * Forms, URL parsing and worker-side validation (zod) all read the specs.
 */
import { z } from 'zod';

export interface NumberSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** 'log' sliders move in log10 space; 'linear' in value space. */
  readonly scale: 'log' | 'linear';
  readonly integer?: boolean;
  /** When set, only these values are allowed (e.g. width multipliers). */
  readonly choices?: readonly number[];
  /** Changeable while a run is going (recorded as a hyperparameter change). */
  readonly live?: boolean;
  readonly unit?: string;
}

export const WIDTH_CHOICES = [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1] as const;

/** The zod schema of one numeric setting: finite, within its range, whole when integer, one of its choices when it has them. */
export function numberSchema(spec: NumberSpec): z.ZodType<number> {
  let s = z.number().finite().min(spec.min).max(spec.max);
  if (spec.integer) s = s.int();
  if (spec.choices) {
    const choices = spec.choices;
    return s.refine((v) => choices.some((c) => Math.abs(c - v) < 1e-9), { message: `must be one of ${choices.join(', ')}` });
  }
  return s;
}

/** Format a width multiplier as a fraction (0.0625 → "1/16"). */
export function formatWidth(w: number): string {
  return w >= 1 ? String(w) : `1/${Math.round(1 / w)}`;
}

/** Coerce one raw value to a spec: parse, round, clamp, snap to a choice; every change is reported in `issues`. */
export function normalizeNumber(key: string, spec: NumberSpec, raw: unknown, issues: string[]): number {
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(v)) {
    issues.push(`${spec.label} (${key}): "${String(raw)}" is not a number; using the default ${spec.default}.`);
    return spec.default;
  }
  const show = (x: number) => (key === 'width' ? formatWidth(x) : String(x));
  if (spec.choices) {
    // A choice field: the nearest offered value (in log space), naming every choice.
    const choices = spec.choices;
    const nearest = v > 0 ? choices.reduce((a, b) => (Math.abs(Math.log(b / v)) < Math.abs(Math.log(a / v)) ? b : a)) : choices[0]!;
    if (Math.abs(nearest - v) > 1e-9) issues.push(`${spec.label} (${key}): ${v} is not offered (${choices.map(show).join(', ')}); using ${show(nearest)}.`);
    return nearest;
  }
  let out = v;
  if (spec.integer && !Number.isInteger(out)) {
    out = Math.round(out);
    issues.push(`${spec.label} (${key}): ${v} is not a whole number; rounded to ${out}.`);
  }
  if (out < spec.min || out > spec.max) {
    const clamped = Math.min(spec.max, Math.max(spec.min, out));
    issues.push(`${spec.label} (${key}): ${v} is outside ${spec.min}…${spec.max}; clamped to ${clamped}.`);
    out = clamped;
  }
  return out;
}
