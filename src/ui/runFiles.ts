/** Saved runs as files: the whole record as JSON, the metric history as CSV, and download helpers (text and bytes). */
import type { SeriesName } from '../protocol';
import type { AnyRunRecord } from '../store';

/** The whole record, pretty-printed. */
export function runToJson(r: AnyRunRecord): string {
  return JSON.stringify(r, null, 2);
}

/**
 * The metric history as CSV: a header `step,<series…>` (series names sorted), then one row per step
 * at which any series has a value, ascending; a series without a value at that step leaves its cell empty.
 */
export function runToCsv(r: AnyRunRecord): string {
  const names = (Object.keys(r.series) as SeriesName[]).filter((n) => (r.series[n]?.steps.length ?? 0) > 0).sort();
  const columns = names.map((n) => {
    const byStep = new Map<number, number>();
    const s = r.series[n]!;
    s.steps.forEach((step, i) => byStep.set(step, s.values[i]!));
    return byStep;
  });
  const steps = [...new Set(columns.flatMap((c) => [...c.keys()]))].sort((a, b) => a - b);
  const lines = [['step', ...names].join(',')];
  for (const step of steps) {
    lines.push([String(step), ...columns.map((c) => (c.has(step) ? String(c.get(step)) : ''))].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Save text as a file through a temporary download link. */
export function downloadText(filename: string, text: string, mime: string): void {
  downloadBlob(filename, new Blob([text], { type: mime }));
}

/** Save bytes (a model's weights, an .onnx file) as a file through a temporary download link. */
export function downloadBytes(filename: string, bytes: ArrayBuffer, mime = 'application/octet-stream'): void {
  downloadBlob(filename, new Blob([bytes], { type: mime }));
}

function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start reading the blob only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
